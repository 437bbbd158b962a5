#pragma once
// The frame both executables run their command line in (app/main.cpp: seedplan-full;
// app/Launcher.cpp: the light launcher): one place turns errors into the project's exit codes.
// Light: CLI11 and core only, so that the launcher stays free of toolkits.

#include <CLI/CLI.hpp>

#include <functional>

namespace seedplan::app {

/// Builds the application (title, --version, one subcommand required), lets `registerCommands`
/// add its subcommands, parses `argv` and runs the chosen command. A command-line error exits as
/// CLI11 says (usage, exit 106-115; --help and --version exit 0); a seedplan::Error prints
/// "seedplan: error: <message>" (one line) and exits 1; any other exception prints
/// "seedplan: internal error: <message>" and exits 70. A command that throws NeedsFullProgram
/// exits with `needsFullProgram()` (the launcher runs seedplan-full); without that handler it is
/// an internal error.
int RunProgram(int argc, char** argv, const std::function<void(CLI::App&)>& registerCommands,
               const std::function<int()>& needsFullProgram = {});

} // namespace seedplan::app
