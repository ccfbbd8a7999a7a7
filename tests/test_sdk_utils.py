"""``amtune.utils``: the SDK v2 ``sagemaker.utils`` naming helpers notebooks import (nbcheck16 F4)."""

import re

from amtune import utils


def test_the_sdks_naming_helpers_are_there_and_keep_their_lengths():
    long_stamp = r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}"
    assert re.fullmatch(long_stamp, utils.sagemaker_timestamp())
    assert re.fullmatch(r"\d{6}-\d{4}", utils.sagemaker_short_timestamp())
    assert re.fullmatch(r"xgb-" + long_stamp, utils.name_from_base("xgb"))
    assert re.fullmatch(r"xgb-\d{6}-\d{4}", utils.name_from_base("xgb", short=True))
    assert len(utils.name_from_base("b" * 100, max_length=32)) == 32
    image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    assert re.fullmatch(r"sagemaker-xgboost-" + long_stamp, utils.name_from_image(image))
    unique = utils.unique_name_from_base("job")
    assert re.fullmatch(r"job-\d{10}-[0-9a-f]{4}", unique)
    assert len(utils.unique_name_from_base("j" * 100)) == 63
    assert utils.base_from_name(utils.name_from_base("my-model")) == "my-model"
    assert utils.base_from_name(utils.name_from_base("my-model", short=True)) == "my-model"
    assert utils.base_from_name("plain") == "plain"
