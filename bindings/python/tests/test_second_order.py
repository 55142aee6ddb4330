"""The second-order learners through the binding: a regression test of the EKF on a long
stream whose exact sensitivities overflow."""

import numpy as np

import rtrl


def test_ekf_recovers_when_the_sensitivities_overflow():
    # With a small r this network reaches a regime where its exact sensitivities grow
    # without bound; H P H^T + R overflows (first at step 2541). The EKF refuses that
    # update, clears the sensitivities and resets its covariance, and keeps learning —
    # before the fix, every update after the first refusal was refused (5459 of 8000).
    t = np.arange(8001)
    s = (0.6 * np.sin(2 * np.pi * t / 23) + 0.3 * np.sin(2 * np.pi * t / 7.3 + 1)
         + 0.05 * np.random.default_rng(1).standard_normal(8001))
    with rtrl.Network.elman(1, 16, 1, seed=0) as net:
        net.configure(optimizer="ekf", ekf_r=0.01, ekf_q=1e-5)
        refused, changed_after = [], 0
        for i in range(8000):
            before = net.get_params()
            try:
                net.step(s[i], s[i + 1])
            except rtrl.DivergedError:
                refused.append(i)
                continue
            if refused and not np.array_equal(before, net.get_params()):
                changed_after += 1
        assert 1 <= len(refused) <= 5, refused
        assert changed_after > 500  # (the EKF itself slows down later: its covariance shrinks)
        assert net.refused_updates == len(refused)
        assert np.isfinite(net.get_params()).all()
