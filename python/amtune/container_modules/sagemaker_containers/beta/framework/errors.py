"""``sagemaker_containers.beta.framework.errors``: the errors a script may raise or catch."""

from __future__ import annotations


class ClientError(Exception):
    """An error of the user's code or request (not of the framework)."""


class UnsupportedFormatError(Exception):
    """A content type the (de)serializers do not support; the model server answers 415
    (Unsupported Media Type), as the container's worker does."""

    status_code = 415

    def __init__(self, content_type: str | None, **kwargs: object) -> None:
        self.content_type = content_type
        self.message = (
            f"Content type {content_type} is not supported by this framework. Implement "
            f"input_fn and output_fn in the inference script to support it."
        )
        super().__init__(self.message, **kwargs)
