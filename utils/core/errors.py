"""The few error types the pipeline raises, each with one meaning.

`ConfigError`: the run cannot start (bad flag, unknown split or filter, missing Java...).
`DataSourceError`: an input cannot be read (network, missing file, wrong schema).
`BadRecordError`: a row is invalid and the bad-record policy is `raise`.
`OutputError`: the output cannot be written or failed its consistency check.
The CLI prints the message of any of these as one paragraph, without a stack trace.
"""


class PipelineError(Exception):
    """Base class of every error the CLI reports as a clean message."""


class ConfigError(PipelineError):
    pass


class DataSourceError(PipelineError):
    pass


class BadRecordError(PipelineError):
    pass


class OutputError(PipelineError):
    pass
