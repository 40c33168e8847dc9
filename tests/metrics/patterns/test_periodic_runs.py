import random

import numpy as np

from metrics.patterns.periodic_runs import next_run


def test_next_run_finds_every_maximal_run_of_the_asked_length():
    rng = random.Random(5)
    for _ in range(300):
        values = np.array(rng.choices(range(rng.randint(1, 3)), k=rng.randint(0, 60)), dtype=np.int64)
        for period in range(1, 8):
            for min_length in (period, period + 1, 2 * period, 3 * period):
                same = [values[k] == values[k + period] for k in range(values.size - period)]
                expected, k = [], 0
                while k < len(same):
                    if same[k]:
                        j = k
                        while j + 1 < len(same) and same[j + 1]:
                            j += 1
                        if j - k + 1 >= min_length:
                            expected.append((k, j))
                        k = j
                    k += 1
                found, (a, b) = [], next_run(values, period, min_length, period - 1)
                while a >= 0:
                    found.append((a, b))
                    a, b = next_run(values, period, min_length, b + 1 + period)
                assert found == expected, (values.tolist(), period, min_length)
