"""
amtune's compiled core (private: use the amtune package)
"""
from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing
__all__: list[str] = ['Acquisition', 'BayesEngine', 'CandidatePosterior', 'GP', 'Hyper', 'InputSpec', 'Kind', 'NoiseSelection', 'OutputTransform', 'RegionCounting', 'Scale', 'Space', 'StallRule', 'TieRule', 'TrustRegion', 'Unstructured', 'acquisition_value', 'build_info', 'cpu_features', 'erfcx', 'fit_subset', 'gp_neg_log_posterior', 'half_rank_warp', 'halton', 'kumaraswamy', 'local_model_rows', 'log_h', 'log_ndtr', 'minimize_box', 'normal_quantile']
class Acquisition:
    """
    Acquisition function of the Bayesian strategy
    
    Members:
    
      LogEI : log expected improvement (Ament et al. 2023)
    
      UCB : lower confidence bound of a minimization, -(mu - kappa sd)
    
      PI : log probability of improvement
    """
    LogEI: typing.ClassVar[Acquisition]  # value = <Acquisition.LogEI: 0>
    PI: typing.ClassVar[Acquisition]  # value = <Acquisition.PI: 2>
    UCB: typing.ClassVar[Acquisition]  # value = <Acquisition.UCB: 1>
    __members__: typing.ClassVar[dict[str, Acquisition]]  # value = {'LogEI': <Acquisition.LogEI: 0>, 'UCB': <Acquisition.UCB: 1>, 'PI': <Acquisition.PI: 2>}
    @typing.overload
    def __eq__(self, other: Acquisition) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: Acquisition) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class BayesEngine:
    """
    GP Bayesian optimization: keeps its fitted model between calls
    """
    def __init__(self, space: Space, spec: InputSpec, acquisition: Acquisition = Acquisition.LogEI, kappa: typing.SupportsFloat | typing.SupportsIndex = 1.96, deterministic: bool = False, threads: typing.SupportsInt | typing.SupportsIndex = 0, max_fit_points: typing.SupportsInt | typing.SupportsIndex = 128, fit_restarts: typing.SupportsInt | typing.SupportsIndex = 2, n_starts: typing.SupportsInt | typing.SupportsIndex = 5, n_candidates: typing.SupportsInt | typing.SupportsIndex = 0, output_warping: bool = True, big_threshold: typing.SupportsInt | typing.SupportsIndex = 0, local_points: typing.SupportsInt | typing.SupportsIndex = 256, big_candidates: typing.SupportsInt | typing.SupportsIndex = 1024, max_pending: typing.SupportsInt | typing.SupportsIndex = 64, select_noise: bool = True, plugin_incumbent: bool = False, irrelevant_lengthscale: typing.SupportsFloat | typing.SupportsIndex = 100.0, ls_map_on_length: bool = True, noise_map_on_variance: bool = False, noise_prior_gamma: bool = False, noise_selection: NoiseSelection = NoiseSelection.Bic, unstructured: Unstructured = Unstructured.Model, half_rank: bool = True, half_rank_from: typing.SupportsInt | typing.SupportsIndex = 10) -> None:
        ...
    def fantasize(self, X: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"]) -> None:
        """
        Condition on rows X at their posterior mean (until the next fit)
        """
    def fit(self, X: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], seed: typing.SupportsInt | typing.SupportsIndex) -> None:
        """
        Fit the model to (X, y) as propose does, without proposing (a later fit warm-starts)
        """
    def predict(self, X: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"]) -> tuple[typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"], typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]]:
        """
        Posterior mean and standard deviation of f at rows X, in the units of y
        """
    def predict_grad(self, x: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"]) -> tuple[float, float, typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"], typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]]:
        """
        Mean, variance and their gradients at one encoded point, in the units of y
        """
    def propose(self, X: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], pending: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], q: typing.SupportsInt | typing.SupportsIndex, seed: typing.SupportsInt | typing.SupportsIndex) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        """
        Up to q new encoded points; y is NaN for a failed trial
        """
    def set_trust_region(self, local_fraction: typing.SupportsFloat | typing.SupportsIndex, tr_after: typing.SupportsInt | typing.SupportsIndex, free_categorical: bool, integer_neighbours: bool = False, ties: TieRule = TieRule.Expand, counting: RegionCounting = RegionCounting.Batch, noise_ties: bool = False, stall: StallRule = StallRule.Stay) -> None:
        """
        Trust-region schedule of the exact mode (EngineOptions in bayes.hpp)
        """
    @property
    def big_mode(self) -> bool:
        ...
    @property
    def dim(self) -> int:
        ...
    @property
    def fit_count(self) -> int:
        ...
    @property
    def fitted(self) -> bool:
        ...
    @property
    def hyper(self) -> Hyper:
        """
        hyperparameters of the last fit
        """
    @property
    def learns_noise(self) -> bool:
        """
        whether the model learns its noise variance (else it is fixed at 1e-8)
        """
    @property
    def map_value(self) -> float:
        """
        negative log posterior of the last hyperparameter fit at its optimum
        """
    @property
    def model_points(self) -> int:
        ...
    @property
    def noise_probability(self) -> float:
        """
        with NoiseSelection.Sample: the learned-noise model's probability at the last full fit
        """
    @property
    def output_lambda(self) -> float:
        """
        exponent of the output transform (1: linear)
        """
    @property
    def output_scale(self) -> float:
        """
        factor from the model's standardized units to the units of y (linear transform)
        """
    @property
    def pending_fantasies(self) -> int:
        """
        pending trials the last proposal conditioned on as Kriging-believer fantasies
        """
    @property
    def structured(self) -> bool:
        """
        whether the model has found structure (always true with Unstructured.Model)
        """
    @property
    def threads(self) -> int:
        ...
    @property
    def trust_region(self) -> TrustRegion:
        """
        the trust region of the last proposal (TuRBO-1)
        """
    @property
    def uses_warping(self) -> bool:
        """
        whether the input warping is in use
        """
class CandidatePosterior:
    """
    Posterior mean and variance of a GP at fixed candidates, updated as the GP gains rows
    """
    def __init__(self, gp: GP, C: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], threads: typing.SupportsInt | typing.SupportsIndex = 1) -> None:
        ...
    def add(self, gp: GP, rows: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"]) -> None:
        """
        Add candidate rows, screened under the GP as it is now
        """
    def extend(self, gp: GP) -> None:
        """
        Absorb the rows the GP gained since the last update (rows may only be appended)
        """
    @property
    def gp_rows(self) -> int:
        """
        GP rows the cache has absorbed
        """
    @property
    def mean(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        ...
    @property
    def size(self) -> int:
        """
        number of candidates
        """
    @property
    def var(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        ...
class GP:
    """
    Exact GP posterior with a growable Cholesky factor
    """
    def __init__(self, spec: InputSpec, log_ls: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], log_sf2: typing.SupportsFloat | typing.SupportsIndex = 0.0, log_noise: typing.SupportsFloat | typing.SupportsIndex = -9.0, mean: typing.SupportsFloat | typing.SupportsIndex = 0.0, log_wa: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"] | None = None, log_wb: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"] | None = None, noise_floor: typing.SupportsFloat | typing.SupportsIndex = 1e-06) -> None:
        ...
    def acquisition_grad(self, kind: Acquisition, best: typing.SupportsFloat | typing.SupportsIndex, kappa: typing.SupportsFloat | typing.SupportsIndex, x: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"]) -> tuple[float, typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]]:
        """
        Acquisition value at x and its gradient
        """
    def append(self, X: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], noise: typing.SupportsFloat | typing.SupportsIndex = -1.0) -> None:
        """
        Append rows (rank-one extensions); noise >= 0 gives them their own noise variance
        """
    def append_believer(self, X: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], noise: typing.SupportsFloat | typing.SupportsIndex) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        """
        Append rows at their posterior mean (Kriging-believer fantasies) with noise variance `noise`; returns those means
        """
    def fit(self, X: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"]) -> None:
        """
        Condition on rows X with targets y (replaces any data)
        """
    def fit_rows(self, X: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], rows: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex]) -> None:
        """
        Condition on the given rows of X only
        """
    def loo_log_density(self) -> float:
        """
        Leave-one-out predictive log density of the conditioned rows (noise included)
        """
    def predict(self, X: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"]) -> tuple[typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"], typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]]:
        """
        Posterior mean and variance of the latent f at rows X
        """
    def predict_grad(self, x: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"]) -> tuple[float, float, typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"], typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]]:
        """
        Mean, variance and their gradients at one encoded point
        """
    def set_y(self, y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"]) -> None:
        """
        Replace the targets of every row
        """
    def truncate(self, n: typing.SupportsInt | typing.SupportsIndex) -> None:
        """
        Drop the rows after the first n
        """
    @property
    def L(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
    @property
    def hyper(self) -> Hyper:
        ...
    @property
    def jitter(self) -> float:
        ...
    @property
    def n(self) -> int:
        ...
class Hyper:
    """
    GP hyperparameters in their log parametrization (standardized output units)
    """
    @property
    def lengthscales(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        """
        lengthscale per dimension, exp(log_ls)
        """
    @property
    def log_ls(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        """
        log lengthscale per dimension of the encoded space
        """
    @property
    def log_noise(self) -> float:
        """
        log of the learned part of the noise variance
        """
    @property
    def log_sf2(self) -> float:
        """
        log signal variance
        """
    @property
    def log_wa(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        """
        log Kumaraswamy a per warped dimension
        """
    @property
    def log_wb(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        """
        log Kumaraswamy b per warped dimension
        """
    @property
    def mean(self) -> float:
        """
        constant mean
        """
    @property
    def noise(self) -> float:
        """
        noise variance: noise_floor + exp(log_noise)
        """
    @property
    def noise_floor(self) -> float:
        """
        floor of the noise variance
        """
class InputSpec:
    """
    What the GP knows of each encoded dimension
    """
    def __init__(self, kinds: collections.abc.Sequence[Kind], cards: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex], warp: collections.abc.Sequence[bool]) -> None:
        """
        kinds per dimension, cards the number of values of discrete dimensions (0 for continuous ones), warp whether a numeric dimension learns a Kumaraswamy input warping
        """
    @property
    def cards(self) -> list[int]:
        ...
    @property
    def dim(self) -> int:
        ...
    @property
    def kinds(self) -> list[Kind]:
        ...
    @property
    def n_warped(self) -> int:
        ...
    @property
    def warp(self) -> list[bool]:
        ...
class Kind:
    """
    Type of a range
    
    Members:
    
      Continuous
    
      Integer
    
      Categorical
    """
    Categorical: typing.ClassVar[Kind]  # value = <Kind.Categorical: 2>
    Continuous: typing.ClassVar[Kind]  # value = <Kind.Continuous: 0>
    Integer: typing.ClassVar[Kind]  # value = <Kind.Integer: 1>
    __members__: typing.ClassVar[dict[str, Kind]]  # value = {'Continuous': <Kind.Continuous: 0>, 'Integer': <Kind.Integer: 1>, 'Categorical': <Kind.Categorical: 2>}
    @typing.overload
    def __eq__(self, other: Kind) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: Kind) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class NoiseSelection:
    """
    How a full fit chooses between the learned-noise and the noiseless model
    
    Members:
    
      Bic : the better BIC-penalized posterior
    
      Loo : the better leave-one-out predictive log density
    
      Sample : a draw from the models' BIC posterior probabilities
    """
    Bic: typing.ClassVar[NoiseSelection]  # value = <NoiseSelection.Bic: 0>
    Loo: typing.ClassVar[NoiseSelection]  # value = <NoiseSelection.Loo: 1>
    Sample: typing.ClassVar[NoiseSelection]  # value = <NoiseSelection.Sample: 2>
    __members__: typing.ClassVar[dict[str, NoiseSelection]]  # value = {'Bic': <NoiseSelection.Bic: 0>, 'Loo': <NoiseSelection.Loo: 1>, 'Sample': <NoiseSelection.Sample: 2>}
    @typing.overload
    def __eq__(self, other: NoiseSelection) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: NoiseSelection) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class OutputTransform:
    """
    z-score, Yeo-Johnson power transform, z-score (the engine's output transform)
    """
    def __init__(self) -> None:
        ...
    def fit(self, y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"]) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        """
        Choose lambda in [0, 1] by Gaussian maximum likelihood; the transformed y
        """
    def log_jacobian(self, y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"]) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        """
        log d t(y_i) / d y_i per value, for the current parameters
        """
    def transform(self, y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], lam: typing.SupportsFloat | typing.SupportsIndex) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        """
        Transform with exponent lam (scales estimated from y)
        """
    @property
    def lam(self) -> float:
        """
        Yeo-Johnson exponent (1: identity)
        """
    @property
    def power(self) -> bool:
        """
        whether the power transform is applied
        """
class RegionCounting:
    """
    What the trust region counts as one success or failure
    
    Members:
    
      Trial : every trial on its own, in the order they finished
    
      Batch : the trials learnt since the previous proposal, together (TuRBO's batch rule)
    """
    Batch: typing.ClassVar[RegionCounting]  # value = <RegionCounting.Batch: 1>
    Trial: typing.ClassVar[RegionCounting]  # value = <RegionCounting.Trial: 0>
    __members__: typing.ClassVar[dict[str, RegionCounting]]  # value = {'Trial': <RegionCounting.Trial: 0>, 'Batch': <RegionCounting.Batch: 1>}
    @typing.overload
    def __eq__(self, other: RegionCounting) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: RegionCounting) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class Scale:
    """
    Scaling of a numeric range (Auto is resolved in Python)
    
    Members:
    
      Linear
    
      Logarithmic
    
      ReverseLogarithmic
    """
    Linear: typing.ClassVar[Scale]  # value = <Scale.Linear: 0>
    Logarithmic: typing.ClassVar[Scale]  # value = <Scale.Logarithmic: 1>
    ReverseLogarithmic: typing.ClassVar[Scale]  # value = <Scale.ReverseLogarithmic: 2>
    __members__: typing.ClassVar[dict[str, Scale]]  # value = {'Linear': <Scale.Linear: 0>, 'Logarithmic': <Scale.Logarithmic: 1>, 'ReverseLogarithmic': <Scale.ReverseLogarithmic: 2>}
    @typing.overload
    def __eq__(self, other: Scale) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: Scale) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class Space:
    def __init__(self, kinds: collections.abc.Sequence[Kind], scales: collections.abc.Sequence[Scale], lows: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex], highs: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex]) -> None:
        ...
    def canonicalize(self, unit: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"]) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        """
        encoded -> encoded, snapped to what decode(encode(.)) gives
        """
    def decode(self, unit: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"]) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        """
        encoded (n, dim) -> raw values (integers exact, categoricals as indices)
        """
    def encode(self, raw: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"]) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        """
        raw values (n, dim) -> encoded (n, dim) in [0, 1]
        """
    def sample_unit(self, n: typing.SupportsInt | typing.SupportsIndex, seed: typing.SupportsInt | typing.SupportsIndex) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        """
        n seeded uniform points of [0, 1]^dim
        """
    @property
    def dim(self) -> int:
        ...
class StallRule:
    """
    What the exact mode proposes while the trust region is stalled
    
    Members:
    
      Stay : the region goes on
    
      Global : the acquisition's maximizer over the whole space (TREGO)
    
      Design : no point: the caller's space-filling design (TuRBO's restart)
    """
    Design: typing.ClassVar[StallRule]  # value = <StallRule.Design: 2>
    Global: typing.ClassVar[StallRule]  # value = <StallRule.Global: 1>
    Stay: typing.ClassVar[StallRule]  # value = <StallRule.Stay: 0>
    __members__: typing.ClassVar[dict[str, StallRule]]  # value = {'Stay': <StallRule.Stay: 0>, 'Global': <StallRule.Global: 1>, 'Design': <StallRule.Design: 2>}
    @typing.overload
    def __eq__(self, other: StallRule) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: StallRule) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class TieRule:
    """
    How a trial tying the incumbent moves the trust region
    
    Members:
    
      Fail : towards a halving, like any non-improving trial (TuRBO)
    
      Neutral : neither way
    
      Expand : towards a doubling (CMA-ES's flat-fitness rule)
    """
    Expand: typing.ClassVar[TieRule]  # value = <TieRule.Expand: 2>
    Fail: typing.ClassVar[TieRule]  # value = <TieRule.Fail: 0>
    Neutral: typing.ClassVar[TieRule]  # value = <TieRule.Neutral: 1>
    __members__: typing.ClassVar[dict[str, TieRule]]  # value = {'Fail': <TieRule.Fail: 0>, 'Neutral': <TieRule.Neutral: 1>, 'Expand': <TieRule.Expand: 2>}
    @typing.overload
    def __eq__(self, other: TieRule) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: TieRule) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class TrustRegion:
    """
    The trust region (TuRBO-1) of local proposals, in the exact and the big-history mode
    """
    @property
    def failures(self) -> int:
        ...
    @property
    def length(self) -> float:
        """
        side of the box in the encoded space
        """
    @property
    def restarts(self) -> int:
        ...
    @property
    def stale(self) -> int:
        """
        trials since the last improvement
        """
    @property
    def successes(self) -> int:
        ...
class Unstructured:
    """
    What the engine proposes while the model has found no structure
    
    Members:
    
      Model : no test: the model proposes from the first call
    
      Design : no point: the caller goes on with its design
    
      Global : the acquisition's maximizer over the whole space
    """
    Design: typing.ClassVar[Unstructured]  # value = <Unstructured.Design: 1>
    Global: typing.ClassVar[Unstructured]  # value = <Unstructured.Global: 2>
    Model: typing.ClassVar[Unstructured]  # value = <Unstructured.Model: 0>
    __members__: typing.ClassVar[dict[str, Unstructured]]  # value = {'Model': <Unstructured.Model: 0>, 'Design': <Unstructured.Design: 1>, 'Global': <Unstructured.Global: 2>}
    @typing.overload
    def __eq__(self, other: Unstructured) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: Unstructured) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
def acquisition_value(kind: Acquisition, best: typing.SupportsFloat | typing.SupportsIndex, kappa: typing.SupportsFloat | typing.SupportsIndex, mu: typing.SupportsFloat | typing.SupportsIndex, var: typing.SupportsFloat | typing.SupportsIndex) -> tuple[float, float, float]:
    """
    Acquisition value to maximize at posterior (mu, var) and its partials d/dmu, d/dvar
    """
def build_info() -> dict[str, typing.Any]:
    """
    How this module was built: version, isa_level, simd, compiled_features, eigen, build_type
    """
def cpu_features() -> dict[str, bool]:
    """
    x86-64 instruction sets this CPU supports
    """
def erfcx(x: typing.SupportsFloat | typing.SupportsIndex) -> float:
    """
    Scaled complementary error function exp(x^2) erfc(x)
    """
def fit_subset(X: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], m: typing.SupportsInt | typing.SupportsIndex) -> list[int]:
    """
    Sorted indices of at most m rows for hyperparameter fitting: the best m/4 by y, then farthest-point
    """
def gp_neg_log_posterior(spec: InputSpec, X: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], theta: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], learn_noise: bool = True, noise_prior_gamma: bool = False) -> tuple[float, typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]]:
    """
    Negative log posterior of theta = [log_ls, log_sf2, mean, log_noise?, log_wa, log_wb] and its gradient
    """
def half_rank_warp(y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"]) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
    """
    Values worse than the median replaced by normal quantiles of their ranks (warping.hpp)
    """
def halton(n: typing.SupportsInt | typing.SupportsIndex, d: typing.SupportsInt | typing.SupportsIndex, seed: typing.SupportsInt | typing.SupportsIndex, start: typing.SupportsInt | typing.SupportsIndex = 0) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
    """
    Points start .. start + n - 1 of the d-dimensional scrambled Halton sequence of `seed`
    """
def kumaraswamy(x: typing.SupportsFloat | typing.SupportsIndex, a: typing.SupportsFloat | typing.SupportsIndex, b: typing.SupportsFloat | typing.SupportsIndex) -> tuple[float, float, float, float]:
    """
    w(x), dw/dx, dw/dlog a, dw/dlog b
    """
def local_model_rows(spec: InputSpec, log_ls: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], X: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], center: typing.SupportsInt | typing.SupportsIndex, k: typing.SupportsInt | typing.SupportsIndex, global_rows: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex] = []) -> list[int]:
    """
    Sorted rows of the big-history model: the k nearest to row `center` (lengthscale-scaled metric on the unwarped encoded space, Hamming for categoricals) and `global_rows`
    """
def log_h(z: typing.SupportsFloat | typing.SupportsIndex) -> tuple[float, float]:
    """
    log(phi(z) + z Phi(z)) and its derivative (Ament et al. 2023)
    """
def log_ndtr(z: typing.SupportsFloat | typing.SupportsIndex) -> tuple[float, float]:
    """
    log Phi(z) and its derivative
    """
def minimize_box(fun: collections.abc.Callable[[typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]], tuple[typing.SupportsFloat | typing.SupportsIndex, typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"]]], x0: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], lower: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], upper: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], max_iter: typing.SupportsInt | typing.SupportsIndex = 200) -> tuple[typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"], float, int, int]:
    """
    Minimize fun(x) -> (value, gradient) over the box [lower, upper]; (x, f, iterations, evaluations)
    """
def normal_quantile(p: typing.SupportsFloat | typing.SupportsIndex) -> float:
    """
    Inverse of the standard normal CDF
    """
