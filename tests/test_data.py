"""nbutils.data: the course's data sets, as REFERENCE_NUMBERS.md lists them."""

from nbutils import data


def test_people_are_shifted_as_the_tutorial_does():
    X, y, names = data.people()
    assert names == ["Alice", "Bob", "Charlie", "Diana"]
    assert X.tolist() == [[-2, -1], [25, 6], [17, 4], [-15, -6]]
    assert y.tolist() == [1, 0, 0, 1]
    X_new, new_names = data.new_people()
    assert new_names == ["Emily", "Frank"] and X_new.tolist() == [[-7, -3], [20, 2]]


def test_xor_and_study_sleep():
    X, y = data.xor()
    assert X.shape == (4, 2) and y.tolist() == [0, 1, 1, 0]
    X, y, q = data.study_sleep()
    Xs = data.scale_study_sleep(X, X)
    assert Xs.max(axis=0).tolist() == [1, 1]
    assert data.scale_study_sleep(q, X).tolist() == [[4 / 3, 8 / 9]]
