# Independent computation of seedplan's results.csv with R (survival, stats), for the cross-check
# test tests/study/RCrossCheckTest.cpp. Usage (one R start for several cohorts):
#   Rscript cross_check.R COHORT.csv OUT.csv REF TIMES TIES [COHORT2.csv OUT2.csv REF2 ...]
# TIMES is comma-separated (months), TIES efron or breslow. Writes the long format of results.csv
# (endpoint,analysis,group,term,statistic,value,lower,upper) with 15 significant digits and NA.
# Each number is taken from R's own functions: survfit/summary.survfit/print.survfit's table,
# survdiff, coxph (+ summary), binom.test, chisq.test, fisher.test, wilcox.test. seedplan's
# conventions that R leaves open are applied here the same way (documented in README.md):
# NA for S(t) past the last follow-up unless S = 0; NA for a Cox model with fewer than 2 events or
# whose fit R flags as not converged or with an infinite coefficient; Yates only for 2x2.
suppressMessages(library(survival))

analyse <- function(input, output, ref, times, ties) {
  d <- read.csv(input, stringsAsFactors = FALSE, na.strings = c("", "NA"), check.names = FALSE,
                colClasses = c(patient_id = "character", group = "character",
                               child_pugh = "character", best_response = "character"))
  levels_group <- c(ref, setdiff(unique(d$group), ref))
  d$group <- factor(d$group, levels = levels_group)
  d$child_pugh <- factor(d$child_pugh, levels = sort(unique(na.omit(d$child_pugh))))
  d$afp <- d$afp_ng_ml

  # Rows collected column by column (a data.frame per row costs half the run time).
  cols <- list(endpoint = character(), analysis = character(), group = character(),
               term = character(), statistic = character(), value = numeric(),
               lower = numeric(), upper = numeric())
  add <- function(endpoint, analysis, group, term, statistic, value, lower = NA, upper = NA) {
    num <- function(x) {
      if (length(x) == 0 || is.null(x) || is.na(x) || is.nan(x)) NA_real_ else as.numeric(x)
    }
    row <- list(endpoint, analysis, group, term, statistic, num(value), num(lower), num(upper))
    for (k in seq_along(cols)) cols[[k]] <<- c(cols[[k]], row[[k]])
  }
  label <- function(t) format(t, digits = 10)

  km_rows <- function(ep, g, time, event) {
    n <- length(time)
    add(ep, "km", g, "", "n", n)
    add(ep, "km", g, "", "events", sum(event))
    for (ct in c("log", "log-log")) {
      an <- if (ct == "log") "km" else "km_loglog"
      if (n == 0) {
        add(ep, an, g, "", "median", NA)
        for (t in times) add(ep, an, g, "", paste0("surv_", label(t)), NA)
        next
      }
      f <- survfit(Surv(time, event) ~ 1, conf.type = ct)
      tab <- summary(f)$table
      add(ep, an, g, "", "median", tab["median"], tab["0.95LCL"], tab["0.95UCL"])
      s <- summary(f, times = times, extend = TRUE)
      for (i in seq_along(times)) {
        t <- times[i]
        if (t > max(time) && s$surv[i] > 0) {
          add(ep, an, g, "", paste0("surv_", label(t)), NA)
        } else {
          add(ep, an, g, "", paste0("surv_", label(t)), s$surv[i], s$lower[i], s$upper[i])
        }
      }
    }
    for (t in times) add(ep, "km", g, "", paste0("n_risk_", label(t)), sum(time >= t))
    followup(ep, g, time, event)
  }

  followup <- function(ep, g, time, event) {
    if (length(time) == 0) {
      add(ep, "km", g, "", "median_followup", NA)
      return()
    }
    tab <- summary(survfit(Surv(time, 1 - event) ~ 1))$table
    add(ep, "km", g, "", "median_followup", tab["median"], tab["0.95LCL"], tab["0.95UCL"])
  }

  cox_rows <- function(ep, analysis, group_label, formula, data, term_names, fit_it) {
    add_na <- function(n, events) {
      for (tn in term_names) for (st in c("coef", "se", "hr", "p_wald")) add(ep, analysis, group_label, tn, st, NA)
      add(ep, analysis, group_label, "", "n", n)
      add(ep, analysis, group_label, "", "events", events)
      for (st in c("df", "chisq_wald", "p_wald", "chisq_lr", "p_lr", "chisq_score", "p_score"))
        add(ep, analysis, group_label, "", st, NA)
    }
    mf <- model.frame(formula, data = data)
    n <- nrow(mf)
    events <- sum(mf[[1]][, 2])
    if (!fit_it || events < 2) return(add_na(n, events))
    flagged <- FALSE
    fit <- withCallingHandlers(
      tryCatch(coxph(formula, data = data, ties = ties_of(analysis)), error = function(e) NULL),
      warning = function(w) {
        if (grepl("infinite|converge", conditionMessage(w))) flagged <<- TRUE
        invokeRestart("muffleWarning")
      })
    if (is.null(fit) || flagged) return(add_na(n, events))
    s <- summary(fit)
    cf <- coef(fit)
    for (tn in term_names) {
      if (is.na(cf[tn])) {
        for (st in c("coef", "se", "hr", "p_wald")) add(ep, analysis, group_label, tn, st, NA)
        next
      }
      add(ep, analysis, group_label, tn, "coef", cf[tn])
      add(ep, analysis, group_label, tn, "se", s$coefficients[tn, "se(coef)"])
      add(ep, analysis, group_label, tn, "hr", s$conf.int[tn, "exp(coef)"],
          s$conf.int[tn, "lower .95"], s$conf.int[tn, "upper .95"])
      add(ep, analysis, group_label, tn, "p_wald", s$coefficients[tn, "Pr(>|z|)"])
    }
    df <- sum(!is.na(cf))
    lr <- 2 * (fit$loglik[2] - fit$loglik[1])
    add(ep, analysis, group_label, "", "n", fit$n)
    add(ep, analysis, group_label, "", "events", fit$nevent)
    add(ep, analysis, group_label, "", "df", df)
    add(ep, analysis, group_label, "", "chisq_wald", fit$wald.test)
    add(ep, analysis, group_label, "", "p_wald", pchisq(fit$wald.test, df, lower.tail = FALSE))
    add(ep, analysis, group_label, "", "chisq_lr", lr)
    add(ep, analysis, group_label, "", "p_lr", pchisq(lr, df, lower.tail = FALSE))
    add(ep, analysis, group_label, "", "chisq_score", fit$score)
    add(ep, analysis, group_label, "", "p_score", pchisq(fit$score, df, lower.tail = FALSE))
  }

  ties_of <- function(analysis) {
    if (analysis == "cox_efron") "efron" else if (analysis == "cox_breslow") "breslow" else ties
  }

  group_terms <- paste0("group", levels_group[-1])
  # A single-level factor cannot enter R's model.matrix; seedplan leaves it out of the model.
  cp_terms <- if (nlevels(d$child_pugh) >= 2) paste0("child_pugh", levels(d$child_pugh)[-1]) else character(0)
  adjusted <- if (length(cp_terms)) Surv(time, event) ~ group + child_pugh + ecog + log10(afp) else
    Surv(time, event) ~ group + ecog + log10(afp)

  for (ep in c("pfs", "os", "lpfs")) {
    time <- d[[paste0(ep, "_months")]]
    event <- d[[paste0(ep, "_event")]]
    keep <- !is.na(time) & !is.na(event)
    e <- d[keep, ]
    e$time <- time[keep]
    e$event <- event[keep]
    for (g in levels_group) {
      w <- e$group == g
      km_rows(ep, g, e$time[w], e$event[w])
    }
    followup(ep, "", e$time, e$event)
    present <- sum(table(e$group) > 0)
    if (present >= 2) {
      sd <- survdiff(Surv(time, event) ~ group, data = e)
      df <- sum(sd$exp > 0) - 1
      add(ep, "logrank", "", "", "chisq", sd$chisq)
      add(ep, "logrank", "", "", "df", df)
      add(ep, "logrank", "", "", "p", pchisq(sd$chisq, df, lower.tail = FALSE))
    } else {
      for (st in c("chisq", "df", "p")) add(ep, "logrank", "", "", st, NA)
    }
    compare <- present >= 2
    cox_rows(ep, "cox_efron", "", Surv(time, event) ~ group, e, group_terms, compare)
    cox_rows(ep, "cox_breslow", "", Surv(time, event) ~ group, e, group_terms, compare)
    cox_rows(ep, paste0("cox_adjusted_", ties), "", adjusted, e,
             c(group_terms, cp_terms, "ecog", "log10(afp)"), compare)
    implanted <- e[!is.na(e$d90_gy), ]
    d90_group <- if (length(unique(implanted$group)) == 1) as.character(implanted$group[1]) else ""
    cox_rows(ep, paste0("cox_d90_", ties), d90_group, Surv(time, event) ~ d90_gy, implanted,
             "d90_gy", TRUE)
  }

  rate_rows <- function(analysis, column, success) {
    rows <- list()
    for (g in levels_group) {
      r <- d[[column]][d$group == g]
      r <- r[!is.na(r) & r != "NE"]
      n <- length(r)
      k <- sum(r %in% success)
      add("response", analysis, g, "", "n", n)
      add("response", analysis, g, "", "count", k)
      if (n > 0) {
        ci <- binom.test(k, n)$conf.int
        add("response", analysis, g, "", "pct", 100 * k / n, 100 * ci[1], 100 * ci[2])
        rows[[length(rows) + 1]] <- c(k, n - k)
      } else {
        add("response", analysis, g, "", "pct", NA)
      }
    }
    if (length(rows) >= 2) {
      tab <- do.call(rbind, rows)
      plain <- suppressWarnings(chisq.test(tab, correct = FALSE))
      add("response", analysis, "", "", "chisq", plain$statistic)
      add("response", analysis, "", "", "p_chisq", plain$p.value)
      if (all(dim(tab) == 2)) {
        yates <- suppressWarnings(chisq.test(tab, correct = TRUE))
        add("response", analysis, "", "", "chisq_yates", yates$statistic)
        add("response", analysis, "", "", "p_chisq_yates", yates$p.value)
      } else {
        add("response", analysis, "", "", "chisq_yates", NA)
        add("response", analysis, "", "", "p_chisq_yates", NA)
      }
      add("response", analysis, "", "", "p_fisher", fisher.test(tab)$p.value)
    } else {
      for (st in c("chisq", "p_chisq", "chisq_yates", "p_chisq_yates", "p_fisher"))
        add("response", analysis, "", "", st, NA)
    }
  }

  rate_rows("orr", "best_response", c("CR", "PR"))
  rate_rows("dcr", "best_response", c("CR", "PR", "SD"))
  if ("local_response" %in% names(d)) rate_rows("lcr", "local_response", c("CR", "PR", "SD"))

  if (all(c("vas_baseline", "vas_followup") %in% names(d))) {
    for (g in levels_group) {
      w <- d$group == g & !is.na(d$vas_baseline) & !is.na(d$vas_followup)
      b <- d$vas_baseline[w]
      f <- d$vas_followup[w]
      add("response", "vas", g, "", "n", length(b))
      add("response", "vas", g, "", "median_baseline", if (length(b)) median(b) else NA)
      add("response", "vas", g, "", "median_followup", if (length(f)) median(f) else NA)
      add("response", "vas", g, "", "median_change", if (length(f)) median(f - b) else NA)
      if (length(b) == 0 || all(f == b)) {
        add("response", "vas", g, "", "v", NA)
        add("response", "vas", g, "", "p", NA)
        add("response", "vas", g, "", "exact", 0)
      } else {
        w <- suppressWarnings(wilcox.test(f, b, paired = TRUE))
        add("response", "vas", g, "", "v", w$statistic)
        add("response", "vas", g, "", "p", w$p.value)
        add("response", "vas", g, "", "exact", as.numeric(grepl("exact", w$method)))
      }
    }
  }

  result <- as.data.frame(cols, stringsAsFactors = FALSE)
  fmt <- function(x) ifelse(is.na(x), "NA", trimws(formatC(x, digits = 15, format = "g")))
  result$value <- fmt(result$value)
  result$lower <- fmt(result$lower)
  result$upper <- fmt(result$upper)
  write.csv(result, output, row.names = FALSE, quote = TRUE, na = "NA")
}

args <- commandArgs(trailingOnly = TRUE)
if (length(args) == 0 || length(args) %% 5 != 0) stop("expected COHORT OUT REF TIMES TIES, repeated")
for (i in seq(1, length(args), by = 5)) {
  analyse(args[i], args[i + 1], args[i + 2], as.numeric(strsplit(args[i + 3], ",")[[1]]), args[i + 4])
}
