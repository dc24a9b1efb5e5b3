"""The AI provider: one chat completion from any OpenAI-compatible endpoint, asked for JSON.

The `openai` client, without its own retries: the whole exchange (a second attempt in JSON
object mode included) stays within AI_TIMEOUT_SECONDS, or is a 504. An HTTP error, an
unreachable provider or an answer that is not a chat completion is a 502. Prompts and answers
are never logged.
"""
import json
import logging
import time
from dataclasses import dataclass

import openai
from flask import current_app
from flask_smorest import abort

log = logging.getLogger(__name__)
# Above any real answer's count, below what MongoDB's integers hold: a provider's nonsense
# (negative, huge, not a number) counts 0.
MAX_TOKEN_COUNT = 10 ** 9


@dataclass(frozen=True)
class Answer:
    text: str | None  # the first choice's message; None when the answer is not a chat completion
    prompt_tokens: int
    completion_tokens: int


def is_configured(config):
    return bool(config["AI_BASE_URL"] and config["AI_API_KEY"])


def complete(system_prompt, user_content, answer_name, answer_schema):
    """The model's answer to the two messages, asked to follow the JSON Schema `answer_schema`.

    The schema goes as `response_format` json_schema; a provider that refuses that (a 400
    naming response_format: older vLLM, llama.cpp servers) is asked again in JSON object mode,
    within what is left of the time (the system prompt describes the answer too).
    """
    config = current_app.config
    seconds = config["AI_TIMEOUT_SECONDS"]
    deadline = time.monotonic() + seconds
    messages = [{"role": "system", "content": system_prompt},
                {"role": "user", "content": user_content}]
    json_schema = {"type": "json_schema",
                   "json_schema": {"name": answer_name, "schema": answer_schema, "strict": False}}
    with openai.OpenAI(base_url=config["AI_BASE_URL"], api_key=config["AI_API_KEY"],
                       timeout=seconds, max_retries=0) as client:
        try:
            try:
                response = _create(client, messages, json_schema, deadline)
            except openai.BadRequestError as exc:
                if "response_format" not in exc.message:
                    raise
                response = _create(client, messages, {"type": "json_object"}, deadline)
        except openai.APITimeoutError:
            _timed_out()
        except openai.APIStatusError as exc:
            log.warning("The AI provider answered HTTP %s", exc.status_code)
            abort(502, message=f"The AI provider refused the request (HTTP {exc.status_code}); "
                               "try again later.")
        except (openai.APIError, ValueError) as exc:  # unreachable, or a body that is not JSON
            log.warning("The AI provider failed: %s", type(exc).__name__)
            abort(502, message="The AI provider could not be reached or gave an unreadable "
                               "answer; try again later.")
    usage = getattr(response, "usage", None)
    return Answer(_message_text(response), _token_count(usage, "prompt_tokens"),
                  _token_count(usage, "completion_tokens"))


def _create(client, messages, response_format, deadline):
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        _timed_out()
    return client.chat.completions.create(
        model=current_app.config["AI_MODEL"], messages=messages,
        response_format=response_format, timeout=remaining)


def _timed_out():
    abort(504, message=f"The AI provider did not answer within "
                       f"{current_app.config['AI_TIMEOUT_SECONDS']:g} seconds; try again.")


def _message_text(response):
    # The client does not validate answers: `response` is whatever JSON (or text) came back.
    try:
        text = response.choices[0].message.content
    except (AttributeError, IndexError, KeyError, TypeError):
        return None
    return text if isinstance(text, str) else None


def _token_count(usage, name):
    count = getattr(usage, name, None)
    return count if type(count) is int and 0 <= count <= MAX_TOKEN_COUNT else 0


def answer_json(answer):
    """The JSON value the model answered; 502 when the answer holds none."""
    if answer.text is None:
        abort(502, message="The AI provider's answer is not a chat completion; try again later.")
    try:
        return json.loads(answer.text)
    except (ValueError, RecursionError):
        abort(502, message="The AI provider's answer is not JSON; try again.")
