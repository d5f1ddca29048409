"""The `harness` command line (`main.py`) and `harness doctor` (`doctor.py`)."""
