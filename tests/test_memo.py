"""transformer/memo.py: an answer remembered per object, by identity, with a bound."""
from transformer.memo import PerObject


def test_an_answer_is_made_once_per_object_and_never_given_to_another():
    made = []
    first = PerObject(lambda xs: made.append(list(xs)) or len(xs), limit=3)
    a, b = [1, 2], [1, 2]                     # equal, not the same object
    assert first(a) == 2 and first(a) == 2 and made == [[1, 2]]
    b.append(3)
    assert first(b) == 3 and made == [[1, 2], [1, 2, 3]]


def test_it_keeps_at_most_its_limit():
    memo = PerObject(lambda x: object(), limit=4)
    keep = [[i] for i in range(10)]
    for x in keep:
        memo(x)
        assert len(memo.seen) <= 4
    answer = memo(keep[-1])
    assert memo(keep[-1]) is answer
