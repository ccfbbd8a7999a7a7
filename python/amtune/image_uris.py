"""SageMaker container image URIs: build them (``retrieve``) and recognise them (``parse``).

A SageMaker training image is named ``<account>.dkr.ecr.<region>.<domain>/<repository>:<tag>``
(``<domain>`` is ``amazonaws.com``, ``amazonaws.com.cn`` in China, or the domains of the isolated
regions). amtune cannot pull these images; it recognises the images of its built-in algorithms
and runs the matching local implementation (:mod:`amtune.builtin`):

=====================  ==========================  ===========================================
repository             tags                        amtune algorithm
=====================  ==========================  ===========================================
``sagemaker-xgboost``  ``0.90-1`` ... ``1.7-1``,   ``xgboost`` (algorithm mode; with a
                       also ``-cpu-py3`` suffixed  ``sagemaker_program`` it is the framework
                                                   image and runs the user's script)
``xgboost``            ``1``, ``latest``           ``xgboost`` (the legacy 0.72 image)
``linear-learner``     ``1``, ``latest``           ``linear-learner``
``knn``                ``1``, ``latest``           ``knn``
=====================  ==========================  ===========================================

Any account, region and version is recognised by :func:`parse` (a version amtune has no table
for is accepted: the local implementation is the same). :func:`retrieve` builds the URI the
SageMaker SDK's ``sagemaker.image_uris.retrieve`` returns, for the regions in its registry
table; ``region=None`` takes ``AWS_REGION`` / ``AWS_DEFAULT_REGION``, else ``us-east-1``.

:func:`retrieve` also builds the URIs of the framework images (``sklearn``, ``pytorch``,
``tensorflow``, ``huggingface``) in the SDK's shape, so that code passing them to an estimator,
a model or CreateModel runs unchanged. amtune never pulls them: a framework image only says
"run the user's script with the current Python", whatever its version.

>>> from amtune import image_uris
>>> image_uris.retrieve("xgboost", region="us-west-2", version="1.7-1")
'246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1'
>>> image_uris.parse("382416733822.dkr.ecr.us-east-1.amazonaws.com/knn:1").algorithm
'knn'
>>> image_uris.retrieve("sklearn", "us-east-1", "1.2-1")
'683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3'
>>> image_uris.retrieve("pytorch", "us-west-2", "2.1", py_version="py310",
...                     instance_type="ml.g5.xlarge", image_scope="inference")
'763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-inference:2.1.0-gpu-py310'
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

__all__ = ["ImageURI", "UnknownImageError", "parse", "retrieve", "try_parse"]

#: Framework/algorithm versions of the ``sagemaker-xgboost`` image (SageMaker's list).
XGBOOST_VERSIONS = (
    "0.90-1",
    "0.90-2",
    "1.0-1",
    "1.2-1",
    "1.2-2",
    "1.3-1",
    "1.5-1",
    "1.7-1",
    "3.0-5",
)
DEFAULT_XGBOOST_VERSION = "1.7-1"

# Registry accounts of the ``sagemaker-xgboost`` image (every version since 0.90-1 uses one table).
_XGBOOST_ACCOUNTS = {
    "af-south-1": "510948584623",
    "ap-east-1": "651117190479",
    "ap-northeast-1": "354813040037",
    "ap-northeast-2": "366743142698",
    "ap-northeast-3": "867004704886",
    "ap-south-1": "720646828776",
    "ap-south-2": "628508329040",
    "ap-southeast-1": "121021644041",
    "ap-southeast-2": "783357654285",
    "ap-southeast-3": "951798379941",
    "ap-southeast-4": "106583098589",
    "ca-central-1": "341280168497",
    "ca-west-1": "190319476487",
    "cn-north-1": "450853457545",
    "cn-northwest-1": "451049120500",
    "eu-central-1": "492215442770",
    "eu-central-2": "680994064768",
    "eu-north-1": "662702820516",
    "eu-south-1": "978288397137",
    "eu-south-2": "104374241257",
    "eu-west-1": "141502667606",
    "eu-west-2": "764974769150",
    "eu-west-3": "659782779980",
    "il-central-1": "898809789911",
    "me-central-1": "272398656194",
    "me-south-1": "801668240914",
    "sa-east-1": "737474898029",
    "us-east-1": "683313688378",
    "us-east-2": "257758044811",
    "us-gov-east-1": "237065988967",
    "us-gov-west-1": "414596584902",
    "us-iso-east-1": "833128469047",
    "us-isob-east-1": "281123927165",
    "us-west-1": "746614075791",
    "us-west-2": "246618743249",
}

# Registry accounts of the first-party algorithm images (linear-learner, knn, legacy xgboost:1).
_ALGORITHM_ACCOUNTS = {
    "af-south-1": "455444449433",
    "ap-east-1": "286214385809",
    "ap-northeast-1": "351501993468",
    "ap-northeast-2": "835164637446",
    "ap-northeast-3": "364406365360",
    "ap-south-1": "991648021394",
    "ap-southeast-1": "475088953585",
    "ap-southeast-2": "712309505854",
    "ca-central-1": "469771592824",
    "cn-north-1": "390948362332",
    "cn-northwest-1": "387376663083",
    "eu-central-1": "664544806723",
    "eu-north-1": "669576153137",
    "eu-south-1": "257386234256",
    "eu-west-1": "438346466558",
    "eu-west-2": "644912444149",
    "eu-west-3": "749696950732",
    "me-south-1": "249704162688",
    "sa-east-1": "855470959533",
    "us-east-1": "382416733822",
    "us-east-2": "404615174143",
    "us-gov-west-1": "226302683700",
    "us-iso-east-1": "490574956308",
    "us-west-1": "632365934929",
    "us-west-2": "174872318107",
}

# Registry accounts of the AWS Deep Learning Containers (PyTorch, TensorFlow, Hugging Face).
_DLC_ACCOUNTS = {
    "af-south-1": "626614931356",
    "ap-east-1": "871362719292",
    "ap-northeast-1": "763104351884",
    "ap-northeast-2": "763104351884",
    "ap-northeast-3": "364406365360",
    "ap-south-1": "763104351884",
    "ap-south-2": "772153158452",
    "ap-southeast-1": "763104351884",
    "ap-southeast-2": "763104351884",
    "ap-southeast-3": "907027046896",
    "ap-southeast-4": "457447274322",
    "ca-central-1": "763104351884",
    "ca-west-1": "204538143572",
    "cn-north-1": "727897471807",
    "cn-northwest-1": "727897471807",
    "eu-central-1": "763104351884",
    "eu-central-2": "380420809688",
    "eu-north-1": "763104351884",
    "eu-south-1": "692866216735",
    "eu-south-2": "503227376785",
    "eu-west-1": "763104351884",
    "eu-west-2": "763104351884",
    "eu-west-3": "763104351884",
    "il-central-1": "780543022126",
    "me-central-1": "914824155844",
    "me-south-1": "217643126080",
    "sa-east-1": "763104351884",
    "us-east-1": "763104351884",
    "us-east-2": "763104351884",
    "us-gov-east-1": "446045086412",
    "us-gov-west-1": "442386744353",
    "us-west-1": "763104351884",
    "us-west-2": "763104351884",
}

#: framework images retrieve() builds (amtune runs the user's script whatever the image)
FRAMEWORK_IMAGES = ("sklearn", "pytorch", "tensorflow", "huggingface")
_FRAMEWORK_IMAGE_ALIASES = {
    "scikit-learn": "sklearn",
    "torch": "pytorch",
    "hugging-face": "huggingface",
}
_GPU_FAMILIES = ("p2", "p3", "p4", "p5", "g4", "g5", "g6", "g7")

# repository -> amtune algorithm name
_REPOSITORIES = {
    "sagemaker-xgboost": "xgboost",
    "xgboost": "xgboost",
    "linear-learner": "linear-learner",
    "knn": "knn",
}

# retrieve() framework names -> (repository, default version, account table)
_FRAMEWORKS = {
    "xgboost": ("sagemaker-xgboost", DEFAULT_XGBOOST_VERSION, _XGBOOST_ACCOUNTS),
    "linear-learner": ("linear-learner", "1", _ALGORITHM_ACCOUNTS),
    "knn": ("knn", "1", _ALGORITHM_ACCOUNTS),
}
_FRAMEWORK_ALIASES = {"linear_learner": "linear-learner", "linearlearner": "linear-learner"}

_URI = re.compile(
    r"^(?:(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d)"
    r"\.(?P<domain>amazonaws\.com(?:\.cn)?|c2s\.ic\.gov|sc2s\.sgov\.gov|cloud\.adc-e\.uk"
    r"|csp\.hci\.ic\.gov)/)?"
    r"(?P<repository>[a-z0-9]+(?:[._/-][a-z0-9]+)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)
_XGB_TAG = re.compile(r"^(?P<version>\d+\.\d+-\d+)(?:-cpu(?:-py3)?|-gpu(?:-py3)?)?$")


class UnknownImageError(ValueError):
    """An image URI that is not one of amtune's built-in algorithm images."""


@dataclass(frozen=True)
class ImageURI:
    """A recognised built-in algorithm image.

    ``algorithm`` is the amtune algorithm name (``"xgboost"``, ``"linear-learner"``, ``"knn"``);
    ``version`` the image's version tag without processor suffixes (``"1.7-1"``, ``"1"``);
    ``region``/``account`` are None for a URI written without a registry
    (``sagemaker-xgboost:1.7-1``). ``framework_capable`` is True for the ``sagemaker-xgboost``
    image, which also runs a user's script (script mode) when ``sagemaker_program`` is given.
    """

    uri: str
    algorithm: str
    repository: str
    version: str
    region: str | None
    account: str | None

    @property
    def framework_capable(self) -> bool:
        return self.repository == "sagemaker-xgboost"


def try_parse(uri: str) -> ImageURI | None:
    """The recognised image, or None when ``uri`` is not a built-in algorithm image."""
    if not isinstance(uri, str):
        return None
    m = _URI.match(uri.strip())
    if m is None:
        return None
    repo = m["repository"]
    # "amazon/xgboost", "sagemaker/knn": the last path component names the image.
    base = repo.rsplit("/", 1)[-1]
    if base not in _REPOSITORIES:
        return None
    tag = m["tag"] or "latest"
    if base == "sagemaker-xgboost":
        t = _XGB_TAG.match(tag)
        if t is None and tag != "latest":
            return None
        version = DEFAULT_XGBOOST_VERSION if t is None else t["version"]
    else:
        version = "1" if tag == "latest" else tag
    return ImageURI(uri.strip(), _REPOSITORIES[base], base, version, m["region"], m["account"])


def parse(uri: str) -> ImageURI:
    """The recognised image; :class:`UnknownImageError` (a ``ValueError``) naming the known
    repositories otherwise."""
    img = try_parse(uri)
    if img is None:
        raise UnknownImageError(
            f"{uri!r} is not a SageMaker built-in algorithm image amtune runs locally (known "
            f"repositories: {', '.join(sorted(_REPOSITORIES))}; e.g. "
            f"{retrieve('xgboost', region='us-east-1')!r})"
        )
    return img


def _domain(region: str) -> str:
    if region.startswith("cn-"):
        return "amazonaws.com.cn"
    if region.startswith("us-isob-"):
        return "sc2s.sgov.gov"
    if region.startswith("us-iso-"):
        return "c2s.ic.gov"
    return "amazonaws.com"


def retrieve(
    framework: str,
    region: str | None = None,
    version: str | None = None,
    **ignored: object,
) -> str:
    """The image URI of a built-in algorithm, as ``sagemaker.image_uris.retrieve`` builds it.

    ``framework``: ``"xgboost"``, ``"linear-learner"`` or ``"knn"``. ``version``: for XGBoost one
    of :data:`XGBOOST_VERSIONS` (default ``"1.7-1"``), ``"1"``/``"latest"`` for the legacy image;
    ``"1"`` (default) for the others. Other keyword arguments of the SDK's function
    (``py_version``, ``instance_type``, ``image_scope``, ...) are accepted and ignored.

    ``framework`` may also be a framework image: ``"sklearn"``, ``"pytorch"``,
    ``"tensorflow"`` or ``"huggingface"`` (``version`` required; for Hugging Face also
    ``base_framework_version``, e.g. ``"pytorch2.1.0"``). The URI has the SDK's shape:
    repository ``<framework>-<image_scope>`` (``image_scope`` default ``"training"``; scikit-learn
    has one repository), tag ``<version>-<cpu|gpu>-<py_version>`` (gpu for ``ml.p*``/``ml.g*``
    instance types). amtune does not check the version against the SDK's tables, nor pull the
    image.
    """
    if region is None:
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    fw = _FRAMEWORK_IMAGE_ALIASES.get(framework, framework)
    if fw in FRAMEWORK_IMAGES:
        return _framework_uri(fw, region, version, ignored)
    key = _FRAMEWORK_ALIASES.get(framework, framework)
    if key not in _FRAMEWORKS:
        raise ValueError(
            f"framework: amtune knows the images of "
            f"{', '.join(sorted([*_FRAMEWORKS, *FRAMEWORK_IMAGES]))}, got {framework!r}"
        )
    repo, default_version, accounts = _FRAMEWORKS[key]
    v = default_version if version is None else str(version)
    if key == "xgboost":
        if v in ("1", "latest", "0.72"):
            repo, v, accounts = "xgboost", "1", _ALGORITHM_ACCOUNTS
        elif v not in XGBOOST_VERSIONS:
            raise ValueError(
                f"version: XGBoost versions are {', '.join(XGBOOST_VERSIONS)} (or '1' for the "
                f"legacy image), got {version!r}"
            )
    elif v not in ("1", "latest"):
        raise ValueError(f"version: {key} has version '1' (or 'latest'), got {version!r}")
    else:
        v = "1"
    if region not in accounts:
        raise ValueError(
            f"region: no {repo} registry is known for {region!r} (known: "
            f"{', '.join(sorted(accounts))})"
        )
    return f"{accounts[region]}.dkr.ecr.{region}.{_domain(region)}/{repo}:{v}"


def _py_default(fw: str, v: tuple[int, ...]) -> str:
    """The Python tag of a framework image version (the SDK's tables, roughly)."""
    if fw == "sklearn":
        return "py3"
    if fw == "tensorflow":
        return "py310" if v >= (2, 9) else "py39" if v >= (2, 6) else "py37"
    return (
        "py312"
        if v >= (2, 6)
        else "py311"
        if v >= (2, 3)
        else "py310"
        if v >= (2, 0)
        else "py39"
        if v >= (1, 13)
        else "py3"
    )


def _framework_uri(fw: str, region: str, version: str | None, kw: dict[str, object]) -> str:
    """A framework image's URI in the SDK's shape (see :func:`retrieve`)."""
    if version is None:
        example = {"sklearn": "1.2-1", "pytorch": "2.1", "tensorflow": "2.13"}.get(fw, "4.37")
        raise ValueError(f"version: required for the {fw} image (e.g. {example!r})")
    v = str(version)
    nums = tuple(int(x) for x in re.findall(r"\d+", v.split("-")[0])[:2])
    it = str(kw.get("instance_type") or "")
    family = it.split(".")[1] if it.startswith("ml.") and it.count(".") >= 2 else ""
    processor = "gpu" if family.startswith(_GPU_FAMILIES) or it == "local_gpu" else "cpu"
    scope = str(kw.get("image_scope") or "training")
    if scope not in ("training", "inference"):
        raise ValueError(f"image_scope: must be 'training' or 'inference', got {scope!r}")
    if fw == "sklearn":
        accounts, repo = _XGBOOST_ACCOUNTS, "sagemaker-scikit-learn"
        py = str(kw.get("py_version") or "py3")
        tag = f"{v}-cpu-{py}"
    else:
        accounts = _DLC_ACCOUNTS
        if v.count(".") == 1:  # the SDK's aliases: "2.1" -> "2.1.0"
            v += ".0"
        if fw == "huggingface":
            base = kw.get("base_framework_version")
            m = re.match(r"^(pytorch|tensorflow)(\d.*)$", base) if isinstance(base, str) else None
            if m is None:
                raise ValueError(
                    f"base_framework_version: required for the huggingface image, e.g. "
                    f"'pytorch2.1.0' or 'tensorflow2.13.0', got {base!r}"
                )
            bname, bver = m.groups()
            bnums = tuple(int(x) for x in re.findall(r"\d+", bver)[:2])
            py = str(kw.get("py_version") or _py_default(bname, bnums))
            os_tag = "ubuntu22.04" if bnums >= (2, 0) else "ubuntu20.04"
            cuda = "cu121-" if processor == "gpu" else ""
            repo = f"huggingface-{bname}-{scope}"
            tag = f"{bver}-transformers{v}-{processor}-{py}-{cuda}{os_tag}"
        else:
            repo = f"{fw}-{scope}"
            py = str(kw.get("py_version") or _py_default(fw, nums))
            tag = (
                f"{v}-{processor}"
                if fw == "tensorflow" and scope == "inference"
                else f"{v}-{processor}-{py}"
            )
    if region not in accounts:
        raise ValueError(
            f"region: no {repo} registry is known for {region!r} (known: "
            f"{', '.join(sorted(accounts))})"
        )
    return f"{accounts[region]}.dkr.ecr.{region}.{_domain(region)}/{repo}:{tag}"
