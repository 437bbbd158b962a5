#include "seedplan/viewer/Isolines.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace seedplan::viewer {

namespace {

/// Edge ids: the edge from sample (a, b) to (a + 1, b) is 2 (a + nu b), to (a, b + 1) is that + 1.
using EdgeId = std::int64_t;

struct Segment {
  EdgeId from;
  EdgeId to;
};

} // namespace

std::vector<Polyline2> ExtractIsolines(const SliceImage<float>& image, double level) {
  const SliceGrid& grid = image.grid;
  const int nu = grid.nu;
  const int nv = grid.nv;
  std::vector<Polyline2> lines;
  if (nu < 2 || nv < 2) {
    return lines;
  }
  const float* f = image.values.data();
  auto horizontal = [nu](int a, int b) { return EdgeId(2) * (EdgeId(a) + EdgeId(nu) * b); };
  auto vertical = [nu](int a, int b) { return EdgeId(2) * (EdgeId(a) + EdgeId(nu) * b) + 1; };

  std::vector<Segment> segments;
  for (int b = 0; b + 1 < nv; ++b) {
    const float* row0 = f + std::size_t(nu) * b;
    const float* row1 = row0 + nu;
    for (int a = 0; a + 1 < nu; ++a) {
      // Corners counter-clockwise from (a, b): bit 0 (a, b), 1 (a+1, b), 2 (a+1, b+1), 3 (a, b+1).
      const int code = (row0[a] >= level ? 1 : 0) | (row0[a + 1] >= level ? 2 : 0) |
                       (row1[a + 1] >= level ? 4 : 0) | (row1[a] >= level ? 8 : 0);
      if (code == 0 || code == 15) {
        continue;
      }
      const EdgeId bottom = horizontal(a, b);
      const EdgeId right = vertical(a + 1, b);
      const EdgeId top = horizontal(a, b + 1);
      const EdgeId left = vertical(a, b);
      switch (code) {
      case 1:
      case 14:
        segments.push_back({left, bottom});
        break;
      case 2:
      case 13:
        segments.push_back({bottom, right});
        break;
      case 3:
      case 12:
        segments.push_back({left, right});
        break;
      case 4:
      case 11:
        segments.push_back({right, top});
        break;
      case 6:
      case 9:
        segments.push_back({bottom, top});
        break;
      case 7:
      case 8:
        segments.push_back({left, top});
        break;
      case 5:
      case 10: {
        const double mean = 0.25 * (double(row0[a]) + row0[a + 1] + row1[a + 1] + row1[a]);
        const bool centreAbove = mean >= level;
        // Code 5: (a, b) and (a+1, b+1) above. With the centre above they stay connected and the
        // lines cut off the two corners below; otherwise each corner above is cut off alone.
        if ((code == 5) == centreAbove) {
          segments.push_back({left, top});
          segments.push_back({bottom, right});
        } else {
          segments.push_back({left, bottom});
          segments.push_back({right, top});
        }
        break;
      }
      default:
        break;
      }
    }
  }
  if (segments.empty()) {
    return lines;
  }

  auto edgePoint = [&](EdgeId edge) -> Eigen::Vector2d {
    const EdgeId sample = edge / 2;
    const int a = int(sample % nu);
    const int b = int(sample / nu);
    const int a1 = (edge % 2 == 0) ? a + 1 : a;
    const int b1 = (edge % 2 == 0) ? b : b + 1;
    const double f0 = image.At(a, b);
    const double f1 = image.At(a1, b1);
    const double t = f1 != f0 ? std::clamp((level - f0) / (f1 - f0), 0.0, 1.0) : 0.5;
    return grid.Point(a + t * (a1 - a), b + t * (b1 - b));
  };

  // Every crossed edge is shared by at most two segments (the cells on either side): sort the
  // segment ends by edge to find each segment's neighbours.
  struct End {
    EdgeId edge;
    std::int64_t segment;
  };
  std::vector<End> ends;
  ends.reserve(segments.size() * 2);
  for (std::size_t s = 0; s < segments.size(); ++s) {
    ends.push_back({segments[s].from, std::int64_t(s)});
    ends.push_back({segments[s].to, std::int64_t(s)});
  }
  std::sort(ends.begin(), ends.end(), [](const End& x, const End& y) {
    return x.edge != y.edge ? x.edge < y.edge : x.segment < y.segment;
  });
  auto otherSegmentAt = [&](EdgeId edge, std::int64_t segment) -> std::int64_t {
    auto it = std::lower_bound(ends.begin(), ends.end(), edge,
                               [](const End& e, EdgeId value) { return e.edge < value; });
    for (; it != ends.end() && it->edge == edge; ++it) {
      if (it->segment != segment) {
        return it->segment;
      }
    }
    return -1;
  };

  std::vector<char> used(segments.size(), 0);
  for (std::size_t start = 0; start < segments.size(); ++start) {
    if (used[start]) {
      continue;
    }
    used[start] = 1;
    std::vector<EdgeId> chain{segments[start].from, segments[start].to};
    bool closed = false;
    // Walk forward from the chain's last edge, then backward from its first.
    for (int direction = 0; direction < 2 && !closed; ++direction) {
      std::int64_t current = std::int64_t(start);
      while (true) {
        const EdgeId tail = direction == 0 ? chain.back() : chain.front();
        const std::int64_t next = otherSegmentAt(tail, current);
        if (next < 0) {
          break;
        }
        if (used[std::size_t(next)]) {
          closed = next == std::int64_t(start) || closed;
          break;
        }
        used[std::size_t(next)] = 1;
        const Segment& segment = segments[std::size_t(next)];
        const EdgeId far = segment.from == tail ? segment.to : segment.from;
        if (direction == 0) {
          chain.push_back(far);
        } else {
          chain.insert(chain.begin(), far);
        }
        current = next;
      }
    }
    if (chain.size() > 2 && chain.front() == chain.back()) {
      chain.pop_back();
      closed = true;
    }
    Polyline2 line;
    line.closed = closed;
    line.points.reserve(chain.size());
    for (EdgeId edge : chain) {
      line.points.push_back(edgePoint(edge));
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<Polyline2> Dashed(const std::vector<Polyline2>& lines, double dashMm, double gapMm) {
  std::vector<Polyline2> dashes;
  const double period = dashMm + gapMm;
  for (const auto& line : lines) {
    std::vector<Eigen::Vector2d> points = line.points;
    if (line.closed && !points.empty()) {
      points.push_back(points.front());
    }
    double phase = 0.0; // distance along the period at the current point
    Polyline2 dash;
    for (std::size_t i = 0; i + 1 < points.size(); ++i) {
      const Eigen::Vector2d a = points[i];
      const Eigen::Vector2d b = points[i + 1];
      const double length = (b - a).norm();
      double done = 0.0;
      while (done < length) {
        const bool on = phase < dashMm;
        const double toSwitch = on ? dashMm - phase : period - phase;
        const double step = std::min(toSwitch, length - done);
        const Eigen::Vector2d from = a + (b - a) * (done / length);
        const Eigen::Vector2d to = a + (b - a) * ((done + step) / length);
        if (on) {
          if (dash.points.empty()) {
            dash.points.push_back(from);
          }
          dash.points.push_back(to);
        }
        done += step;
        phase += step;
        if (phase >= period - 1e-12) {
          phase = 0.0;
        }
        if (on && phase >= dashMm - 1e-12 && dash.points.size() >= 2) {
          dashes.push_back(std::move(dash));
          dash = Polyline2{};
        }
      }
    }
    if (dash.points.size() >= 2) {
      dashes.push_back(std::move(dash));
    }
  }
  return dashes;
}

std::vector<Polyline2> KeepInside(const std::vector<Polyline2>& lines,
                                  const std::function<bool(const Eigen::Vector2d&)>& inside) {
  std::vector<Polyline2> kept;
  for (const auto& line : lines) {
    const std::size_t n = line.points.size();
    std::vector<bool> in(n);
    std::size_t firstOut = n;
    for (std::size_t i = 0; i < n; ++i) {
      in[i] = inside(line.points[i]);
      if (!in[i] && firstOut == n) {
        firstOut = i;
      }
    }
    if (firstOut == n) {
      kept.push_back(line);
      continue;
    }
    // Walk from the first outside point, so that a closed line's run across its start and end
    // comes out as one piece.
    const std::size_t count = line.closed ? n : n - firstOut;
    const std::size_t start = line.closed ? firstOut : 0;
    Polyline2 run;
    auto flush = [&]() {
      if (run.points.size() >= 2) {
        kept.push_back(std::move(run));
      }
      run = Polyline2{};
    };
    if (!line.closed) {
      for (std::size_t i = 0; i < firstOut; ++i) {
        run.points.push_back(line.points[i]);
      }
      flush();
    }
    for (std::size_t step = 0; step < count; ++step) {
      const std::size_t i = line.closed ? (start + step) % n : firstOut + step;
      if (in[i]) {
        run.points.push_back(line.points[i]);
      } else {
        flush();
      }
    }
    flush();
  }
  return kept;
}

} // namespace seedplan::viewer
