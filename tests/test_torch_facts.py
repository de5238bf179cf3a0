"""Runtime checks of the PyTorch facts the rule docs state, on the installed torch."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import torch
from torch.utils.data import DataLoader, get_worker_info


def _first_draw_after(make_loader: bool, generator: torch.Generator | None) -> float:
    torch.manual_seed(0)
    if make_loader:
        iter(DataLoader(list(range(4)), shuffle=False, num_workers=0, generator=generator))
    return torch.rand(1).item()


def test_iterating_a_dataloader_draws_from_the_global_rng_even_without_shuffle() -> None:
    untouched = _first_draw_after(make_loader=False, generator=None)
    assert _first_draw_after(make_loader=True, generator=None) != untouched
    own = torch.Generator().manual_seed(1)
    assert _first_draw_after(make_loader=True, generator=own) == untouched


def test_unseeded_generator_has_a_fixed_seed_that_ignores_manual_seed() -> None:
    code = ("import sys, torch; torch.manual_seed(int(sys.argv[1])); "
            "print(torch.Generator().initial_seed(), torch.rand(1, generator=torch.Generator()).item())")
    outputs = {
        subprocess.run([sys.executable, "-c", code, seed], capture_output=True, text=True, check=True).stdout
        for seed in ("0", "1", "2")
    }
    assert len(outputs) == 1, outputs  # the same numbers whatever the run's seed


class _State(torch.utils.data.Dataset[int]):
    def __len__(self) -> int:
        return 4

    def __getitem__(self, i: int) -> int:
        info = get_worker_info()
        assert info is not None
        return int(np.random.get_state()[1][0])  # type: ignore[index]


def test_numpy_state_word_is_a_constant_in_every_worker() -> None:
    loader = DataLoader(_State(), batch_size=1, num_workers=2)
    words = {int(batch) for _ in range(2) for batch in loader}
    assert len(words) == 1, words  # so get_state()[1][0] + worker_id repeats every epoch
    print("np.random.get_state()[1][0] in every worker:", words)
