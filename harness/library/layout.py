"""Where the harness finds its files: the system under test's Lambda code and the checkout it may run from."""

from __future__ import annotations

from pathlib import Path

import cruddur_app

# The Lambda sources (app/ in a checkout; the `cruddur_app` package in an installed wheel).
APP_DIR = Path(cruddur_app.__file__).resolve().parent
# The source checkout (fixtures, bench, docker-compose.yml): only meaningful for an editable install.
CHECKOUT_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_AVATAR = Path(__file__).with_name("sample_avatar.jpg")  # what `harness demo` uploads unless told otherwise
# The system under test's two implementations in APP_DIR (README "The system under test"): the seed's languages, or the
# Python stand-ins; AvatarApiSpec and ThumbnailPipelineSpec pick functions by it, `--sut` names it.
IMPLEMENTATIONS = ("seed", "python")
