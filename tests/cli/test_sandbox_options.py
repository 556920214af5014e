"""``awsgw sandbox``'s options, as the command line reads them."""

from __future__ import annotations

import pytest

from awsgw.cli import parser


def test_aws_faults_is_off_unless_asked_and_takes_a_share() -> None:
    assert parser().parse_args(["sandbox"]).aws_faults == 0.0
    assert parser().parse_args(["sandbox", "--aws-faults", "0.3"]).aws_faults == 0.3


@pytest.mark.parametrize(
    ("given", "said"),
    [("2", "2 is not between 0 and 0.9"), ("-0.1", "-0.1 is not between"), ("x", "not a number")],
)
def test_aws_faults_refuses_what_is_not_a_share_up_to_nine_tenths(
    given: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(["sandbox", f"--aws-faults={given}"])
    assert exited.value.code == 2
    assert said in capsys.readouterr().err
