"""Hypothesis strategies: valid OpenAI and Anthropic conversations with big, odd tool outputs."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

_WORD = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=12)
_REALISTIC = st.sampled_from(
    [
        "src/app/models.py:{n}:    def save(self, *args, **kwargs):",
        "2026-11-24 03:{n:02d}:11 INFO worker started pid={n}",
        "2026-11-24 03:{n:02d}:12 ERROR connection refused to db:{n}",
        '  File "/srv/app/main.py", line {n}, in handler',
        "test_module.py::test_case_{n} PASSED",
        "[hr1:123456789012345 omitted {n} lines 1-{n}]",
        "",
        '\t{{"id": {n}, "ok": true}}',
    ]
)


@st.composite
def lines(draw: st.DrawFn) -> str:
    template = draw(_REALISTIC)
    if draw(st.booleans()):
        return template.format(n=draw(st.integers(0, 999)))
    return " ".join(draw(st.lists(_WORD, max_size=8)))


@st.composite
def tool_output(draw: st.DrawFn) -> str:
    # a few drawn lines cycled to a drawn length: long outputs stay cheap to generate
    pattern = draw(st.lists(lines(), min_size=1, max_size=12))
    count = draw(st.integers(0, 400))
    body = [f"{pattern[i % len(pattern)]} #{i}" if i % 3 else pattern[i % len(pattern)] for i in range(count)]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(body)
    return text + newline if draw(st.booleans()) else text


@st.composite
def openai_conversation(draw: st.DrawFn) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"role": "system", "content": draw(st.text(max_size=80))}]
    calls = 0
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["user", "user_parts", "tools", "assistant"]))
        if kind == "user":
            messages.append({"role": "user", "content": draw(st.one_of(st.text(max_size=60), tool_output()))})
        elif kind == "user_parts":
            image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
            messages.append({"role": "user", "content": [{"type": "text", "text": draw(tool_output())}, image]})
        elif kind == "assistant":
            messages.append({"role": "assistant", "content": draw(st.text(max_size=60))})
        else:
            ids = [f"call_{calls + i}" for i in range(draw(st.integers(1, 2)))]
            calls += len(ids)
            messages.append(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": i, "type": "function", "function": {"name": "sh", "arguments": '{"cmd": "ls"}'}}
                        for i in ids
                    ],
                }
            )
            messages.extend({"role": "tool", "tool_call_id": i, "content": draw(tool_output())} for i in ids)
    messages.append({"role": "user", "content": draw(st.text(max_size=60))})
    return messages


@st.composite
def anthropic_conversation(draw: st.DrawFn) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": [{"type": "text", "text": draw(st.text(max_size=60))}]}
    ]
    for turn in range(draw(st.integers(1, 4))):
        use_id = f"toolu_{turn}"
        messages.append(
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": draw(st.text(max_size=40))},
                    {"type": "tool_use", "id": use_id, "name": "read", "input": {"path": f"f{turn}.txt"}},
                ],
            }
        )
        result: dict[str, Any] = {"type": "tool_result", "tool_use_id": use_id}
        if draw(st.booleans()):
            result["content"] = draw(tool_output())
        else:
            result["content"] = [
                {"type": "text", "text": draw(tool_output())},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}},
            ]
        if draw(st.integers(0, 4)) == 0:
            result["cache_control"] = {"type": "ephemeral"}
        messages.append({"role": "user", "content": [result]})
    messages.append({"role": "user", "content": [{"type": "text", "text": draw(st.text(max_size=60))}]})
    return messages


conversations = st.one_of(openai_conversation(), anthropic_conversation())
