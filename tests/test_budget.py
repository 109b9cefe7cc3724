"""The allocator: older slices first, least lossy first, prefix-stable with a reserve."""

from __future__ import annotations

from collections.abc import Sequence

from headroom.budget import allocate

TOP = 4  # levels 1..3 lossy, 4 = marker


def sizes(originals: Sequence[int]) -> list[list[int]]:
    # level l keeps 1/2**l of the piece; the marker costs 10
    return [[max(10, o >> level) for level in range(TOP)] + [10] for o in originals]


def run(originals: list[int], budget: int | None, fixed: int = 100, positions: list[int] | None = None):
    table = sizes(originals)
    if positions is None:
        positions, total = [], fixed
        for o in originals:
            total += o
            positions.append(total)
    return allocate(
        size=lambda i, level: table[i][level],
        positions=positions,
        fixed=fixed,
        budget=budget,
        top_level=TOP,
        slack=0.2,
    )


def test_no_budget_or_fitting_budget_keeps_default() -> None:
    assert run([1000, 2000], None).levels == (0, 0)
    fit = run([1000, 2000], 3100)
    assert fit.levels == (0, 0) and fit.fits and fit.total == 3100


def test_oldest_slice_escalates_first_and_least_lossy_first() -> None:
    result = run([3000, 3000, 3000], 8000)
    assert result.fits and result.total <= 8000
    # 9100 default, slices of 1600: the reserve is 9600 - 9100 = 500
    assert result.levels == (2, 0, 0)
    # slices of 1000 put the pieces in slices 4, 7 and 10; the reserve is 900
    assert run([3000, 3000, 3000], 5000).levels == (3, 3, 0)


def test_a_single_huge_piece_climbs_its_ladder() -> None:
    result = run([100, 100, 8000], 3000)
    assert result.fits and result.levels == (2, 2, 2)


def test_infeasible_budget_returns_the_smallest_configuration() -> None:
    result = run([1000, 1000], 50)
    assert not result.fits
    assert result.levels == (TOP, TOP)
    assert result.total == 100 + 20


def test_appending_pieces_never_moves_earlier_choices_backwards() -> None:
    originals: list[int] = []
    previous: tuple[int, ...] = ()
    rewrites = 0
    for turn in range(40):
        originals.append(400 + (turn * 37) % 300)
        levels = run(originals, 9000).levels
        earlier = levels[: len(previous)]
        assert all(a >= b for a, b in zip(earlier, previous)), "a piece got less compressed"
        rewrites += earlier != previous
        previous = levels
    print("rewrites", rewrites)
    assert rewrites <= 8
