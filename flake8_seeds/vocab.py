"""The vocabulary the rules share: what draws from a global RNG, and what seeds one.

Qualified names, after ``names.canonical``.  Rules import these tables; no rule module
imports another for them.
"""
from __future__ import annotations

_RANDOM_FUNCS = (
    "random randint randrange choice choices shuffle sample uniform gauss normalvariate "
    "triangular betavariate expovariate gammavariate lognormvariate vonmisesvariate "
    "paretovariate weibullvariate getrandbits randbytes binomialvariate"
)
_NUMPY_FUNCS = (
    "rand randn randint random_integers random_sample random ranf sample choice bytes shuffle "
    "permutation beta binomial chisquare dirichlet exponential f gamma geometric gumbel "
    "hypergeometric laplace logistic lognormal logseries multinomial multivariate_normal "
    "negative_binomial noncentral_chisquare noncentral_f normal pareto poisson power rayleigh "
    "standard_cauchy standard_exponential standard_gamma standard_normal standard_t triangular "
    "uniform vonmises wald weibull zipf"
)
_TORCH_FUNCS = (
    "rand rand_like randn randn_like randint randint_like randperm normal bernoulli multinomial poisson"
)
_INIT_FUNCS = (
    "uniform_ normal_ trunc_normal_ xavier_uniform_ xavier_normal_ kaiming_uniform_ "
    "kaiming_normal_ orthogonal_ sparse_"
)
_LAYERS = (
    "Linear Bilinear LazyLinear Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d "
    "ConvTranspose3d LazyConv1d LazyConv2d LazyConv3d LazyConvTranspose1d LazyConvTranspose2d "
    "LazyConvTranspose3d Embedding EmbeddingBag RNN LSTM GRU RNNCell LSTMCell GRUCell "
    "MultiheadAttention Transformer TransformerEncoderLayer TransformerDecoderLayer"
)
# In-place tensor methods that fill from the global torch RNG.
INPLACE_METHODS = frozenset(
    "uniform_ normal_ random_ bernoulli_ exponential_ geometric_ cauchy_ log_normal_".split()
)

DRAWS: dict[str, str] = {}
DRAWS.update({f"random.{f}": "random" for f in _RANDOM_FUNCS.split()})
DRAWS.update({f"numpy.random.{f}": "numpy" for f in _NUMPY_FUNCS.split()})
DRAWS.update({f"torch.{f}": "torch" for f in _TORCH_FUNCS.split()})
DRAWS.update({f"torch.nn.init.{f}": "torch" for f in _INIT_FUNCS.split()})
LAYERS = frozenset(f"torch.nn.{f}" for f in _LAYERS.split())
DRAWS.update({name: "torch" for name in LAYERS})
# torchvision's random transforms draw from the torch RNG when applied.
_TRANSFORMS = (
    "RandomApply RandomChoice RandomOrder RandomCrop RandomResizedCrop RandomHorizontalFlip "
    "RandomVerticalFlip RandomRotation RandomAffine RandomPerspective RandomErasing RandomGrayscale "
    "RandomInvert RandomPosterize RandomSolarize RandomAdjustSharpness RandomAutocontrast RandomEqualize "
    "RandomPhotometricDistort RandomZoomOut RandomIoUCrop RandomShortestSize RandomResize RandomChannelPermutation "
    "ColorJitter GaussianBlur GaussianNoise AutoAugment RandAugment TrivialAugmentWide AugMix ElasticTransform "
    "CutMix MixUp JPEG"
)
TRANSFORMS = frozenset(f"torchvision.transforms.{v}{t}" for t in _TRANSFORMS.split() for v in ("", "v2."))
DRAWS.update({name: "torch" for name in TRANSFORMS})

STDLIB_ROOTS = frozenset({"torch", "numpy", "random"})
# Libraries whose *seed* functions seed only themselves.
OTHER_FRAMEWORKS = frozenset({"tensorflow", "jax", "paddle", "mxnet", "cupy"})
# Seeding helpers whose names lack "seed", with the parameter that carries the seed.
NAMED_HELPERS = {
    "monai.utils.set_determinism": "seed",
    "monai.utils.misc.set_determinism": "seed",
    "transformers.enable_full_determinism": "seed",
    "transformers.trainer_utils.enable_full_determinism": "seed",
}
# Hugging Face's Trainer seeds random, NumPy and torch from TrainingArguments.seed (42 by default)
# when it is built (transformers.trainer.Trainer.__init__ calls set_seed / enable_full_determinism).
SELF_SEEDING_TRAINERS = frozenset({"transformers.Trainer", "transformers.trainer.Trainer",
                                   "transformers.Seq2SeqTrainer", "trl.SFTTrainer"})


def names_a_seeder(name: str) -> bool:
    """``set_seed``, ``seed_everything``, ``init_seeds``; not ``get_seed``, ``initial_seed`` or the
    ``seed_worker`` recipe (a worker_init_fn, which seeds a DataLoader worker, not the program)."""
    lowered = name.lower().lstrip("_")
    return ("seed" in lowered and not lowered.startswith(("get", "initial"))
            and not lowered.endswith("seed_worker"))
