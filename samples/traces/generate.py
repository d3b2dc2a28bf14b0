#!/usr/bin/env python3
"""Regenerates the replay traces (deterministic: fixed-seed noise). Usage: python3 generate.py"""
import math
import random


def smoothstep(x):
    x = min(1.0, max(0.0, x))
    return x * x * (3 - 2 * x)


def segments(points):
    """Piecewise: list of (t, qps) knots joined by smooth ramps."""
    def f(t):
        for (t0, q0), (t1, q1) in zip(points, points[1:]):
            if t0 <= t <= t1:
                return q0 + (q1 - q0) * smoothstep((t - t0) / (t1 - t0))
        return points[-1][1]
    return f


def write(name, header, f, duration, step, noise, seed):
    rnd = random.Random(seed)
    with open(name, "w") as out:
        out.write(header)
        out.write("seconds,qps\n")
        for t in range(0, duration + 1, step):
            q = f(t) * (1 + rnd.uniform(-noise, noise))
            out.write(f"{t},{q:.0f}\n")


base = 10_000

write("spike-4x-2min.csv",
      "# A celebrity story breaks: 10k -> 40k QPS, ramping in 2 minutes, held 20 minutes, easing over 10.\n"
      "# spikeStart=600\n",
      segments([(0, base), (600, base), (720, 4 * base), (1920, 4 * base), (2520, base), (3300, base)]),
      3300, 5, 0.02, 1)

write("weibo-3x-10min.csv",
      "# Weibo's hot-event profile (2-3x within 10 minutes): 10k -> 30k QPS over 10 minutes, held 30, easing over 20.\n"
      "# spikeStart=600\n",
      segments([(0, base), (600, base), (1200, 3 * base), (3000, 3 * base), (4200, base), (4800, base)]),
      4800, 5, 0.02, 2)

write("double-spike.csv",
      "# Two waves: 10k -> 30k in 90 s, down to 15k, then a second wave to 40k in 2 minutes.\n"
      "# spikeStart=600\n",
      segments([(0, base), (600, base), (690, 3 * base), (990, 3 * base), (1170, 1.5 * base), (1470, 1.5 * base),
                (1590, 4 * base), (2190, 4 * base), (2790, base), (3300, base)]),
      3300, 5, 0.02, 3)


def diurnal(t):
    hours = t / 3600
    # Night low ~5k around 04:30, afternoon ~19k, lunch and evening bumps (evening peak ~21k at 21:00).
    daily = 12_000 - 7_000 * math.cos(2 * math.pi * (hours - 4.5) / 24)
    lunch = 1_500 * math.exp(-((hours - 12.5) ** 2) / 0.5)
    evening = 3_000 * math.exp(-((hours - 21) ** 2) / 2)
    return daily + lunch + evening


write("quiet-day.csv",
      "# A quiet diurnal day (no hot event): 5k at night to ~21k in the evening, 3% noise, one point a minute.\n"
      "# kind=quiet\n",
      diurnal, 86_400, 60, 0.03, 4)


def write_with_signal(name, header, f, signal, signal_name, duration, step, noise, seed):
    """Like write, with a leading signal as a third column (a gauge: the rate the signal's query returns)."""
    rnd = random.Random(seed)
    with open(name, "w") as out:
        out.write(header)
        out.write(f"seconds,qps,{signal_name}\n")
        for t in range(0, duration + 1, step):
            q = f(t) * (1 + rnd.uniform(-noise, noise))
            out.write(f"{t},{q:.0f},{signal(t):.0f}\n")


# A push to 30M users, sent over 2 minutes from t=600 (250k pushes/s as rate(push_sent_total[1m]) shows it).
# Opens follow 90-150 s later: +30k QPS (4x) by t=780, held 8 minutes, easing over 10. The signal leads the
# traffic by 90 s at the start and 60 s at the end of the send.
write_with_signal(
    "push-30m-users.csv",
    "# A push notification to 30M users: pushes are sent 600-720 s (column push, pushes/s), the opens arrive\n"
    "# 90-150 s later: 10k -> 40k QPS by 780 s, held 8 minutes, easing over 10.\n"
    "# spikeStart=690\n",
    segments([(0, base), (690, base), (780, 4 * base), (1260, 4 * base), (1860, base), (3000, base)]),
    segments([(0, 0), (600, 0), (630, 250_000), (720, 250_000), (780, 0), (3000, 0)]),
    "push", 3000, 5, 0.02, 5)

# The same push three times, 40 minutes apart (each as in push-30m-users.csv): a wrong requestsPerUnit is learned
# from each push's opens, so the second and third are sized closer to what came (benchmark `learning`). In its own
# folder, which `replay` does not read: its last line stays comparable across sessions.
push_starts = [600, 3000, 5400]
write_with_signal(
    "repeated/push-3x-40min.csv",
    "# The push to 30M users of push-30m-users.csv, three times 40 minutes apart (sent at 600, 3000 and 5400 s):\n"
    "# each time the opens take 10k -> 40k QPS 90-180 s after the send, held 8 minutes, easing over 10.\n"
    "# spikeStart=690\n",
    segments([(0, base)] + [p for s in push_starts for p in [(s + 90, base), (s + 180, 4 * base), (s + 660, 4 * base), (s + 1260, base)]]
             + [(7200, base)]),
    segments([(0, 0)] + [p for s in push_starts for p in [(s, 0), (s + 30, 250_000), (s + 120, 250_000), (s + 180, 0)]]
             + [(7200, 0)]),
    "push", 7200, 5, 0.02, 6)
