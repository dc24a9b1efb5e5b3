"""A chat-completions server on 127.0.0.1 for the AI assistant's tests (tests/test_ai.py and the
browser's tests/browser/test_ai_assistant.py): the real `openai` client talks to it over HTTP.
It answers from a script and records every request it gets.

Fixtures (tests/conftest.py): `ai_provider` (a running FakeChatProvider) and `ai_settings` (the
app settings pointing the assistant at it).
"""
import json
import threading
import time

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

MODEL = "vitrine-test-model"
KEY = "sk-vitrine-test-key"


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


class FakeChatProvider:
    """POST /v1/chat/completions, answered in the order `reply` scripted them."""

    def __init__(self):
        self.requests = []
        self.script = []
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True,
                                  request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def settings(self, timeout_seconds=10):
        """The app settings that point the assistant at this server."""
        return {"AI_BASE_URL": self.url, "AI_API_KEY": KEY, "AI_MODEL": MODEL,
                "AI_TIMEOUT_SECONDS": timeout_seconds}

    def reply(self, content=None, *, status=200, body=None, delay=0.0, usage=(120, 30),
              content_type="application/json"):
        """The next answer: the model's message `content` (a str as is, anything else as
        JSON) in a chat completion, or the raw `body` with `status`."""
        if body is None:
            text = content if isinstance(content, str) else json.dumps(content)
            body = json.dumps({
                "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": MODEL,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1],
                          "total_tokens": sum(usage)}})
        self.script.append((status, body, delay, content_type))

    def wsgi(self, environ, start_response):
        request = Request(environ)
        if (request.method, request.path) != ("POST", "/v1/chat/completions"):
            return Response("not found", status=404)(environ, start_response)
        self.requests.append({"headers": dict(request.headers), "json": request.get_json()})
        status, body, delay, content_type = self.script.pop(0) if self.script else (
            500, '{"error": {"message": "nothing scripted"}}', 0, "application/json")
        time.sleep(delay)
        return Response(body, status=status, content_type=content_type)(environ, start_response)

    def messages(self, index=-1):
        """`(system prompt, user message)` of a recorded request."""
        system, user = self.requests[index]["json"]["messages"]
        assert (system["role"], user["role"]) == ("system", "user")
        return system["content"], user["content"]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
