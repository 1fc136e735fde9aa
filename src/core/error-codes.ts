/**
 * The error registry: every code Medic can raise, with a hint a user can act on, the HTTP
 * status where it reaches HTTP, and whether retrying can help. Codes are only ever added,
 * never renamed or reused: tests, logs and users' runbooks depend on them.
 * Form: MEDIC_ERR_<STAGE>_<PROBLEM>. Keep each stage's codes in its section.
 */

export interface ErrorSpec {
  /** What the user can do about it; printed after the specific message. */
  readonly hint: string;
  readonly status: number;
  readonly retryable: boolean;
}

export const errorCodes = {
  // --- input (CLI arguments, incident directories, records on disk) ---
  MEDIC_ERR_INPUT_NOT_FOUND: {
    hint: 'Check the path; it must exist and be readable.',
    status: 404,
    retryable: false,
  },
  MEDIC_ERR_INPUT_INVALID_JSON: {
    hint: 'Fix the JSON syntax of the file named.',
    status: 400,
    retryable: false,
  },
  MEDIC_ERR_INPUT_INVALID_RECORD: {
    hint: 'The file does not match its schema; the listed fields say what to fix.',
    status: 400,
    retryable: false,
  },
  MEDIC_ERR_INPUT_ARTIFACT_MISSING: {
    hint: 'An artifact the incident names is not on disk; re-record the incident or fix its path.',
    status: 400,
    retryable: false,
  },
  MEDIC_ERR_INPUT_REPO_MISSING: {
    hint: "Set service.repo.path (or url) in incident.json to the service's source.",
    status: 400,
    retryable: false,
  },
  MEDIC_ERR_INPUT_BAD_OPTION: {
    hint: 'See `medic <command> --help` for the accepted values.',
    status: 400,
    retryable: false,
  },

  // --- config ---
  MEDIC_ERR_CONFIG_INVALID: {
    hint: 'Fix medic.config.json or the MEDIC_* environment variables named.',
    status: 500,
    retryable: false,
  },

  // --- ingest ---
  MEDIC_ERR_INGEST_NO_FAILURE: {
    hint: 'The artifacts hold no Go panic, fatal error, race report or leak; check that the right log or profiles were recorded.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_INGEST_PROFILE_CORRUPT: {
    hint: 'The profile is not a pprof protobuf (gzip or raw); re-fetch it from the pprof endpoint.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_INGEST_TRACE_INVALID: {
    hint: 'The trace is not NDJSON of Medic trace events; re-record it with `medic trace`.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_INGEST_PROFILE_TOO_LARGE: {
    hint: 'The profile is larger than Medic accepts; take a shorter or less detailed profile (e.g. a default MemProfileRate).',
    status: 413,
    retryable: false,
  },
  MEDIC_ERR_INGEST_PROFILE_KIND_MISMATCH: {
    hint: 'The profile holds other sample types than the kind incident.json declares for it; fix the `profile` field of that artifact.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_INGEST_ARTIFACT_UNREADABLE: {
    hint: 'An artifact named by the incident could not be read; check that it exists and is readable.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_INGEST_GOMOD_UNREADABLE: {
    hint: "The repository's go.mod exists but could not be read; check its permissions (frames are classified without it otherwise).",
    status: 422,
    retryable: false,
  },

  MEDIC_ERR_INGEST_TRACE_UNAVAILABLE: {
    hint: 'eBPF tracing is unavailable here: run scripts/setup-ebpf.sh, then `npm run build:native`, on a Linux kernel with BTF (/sys/kernel/btf/vmlinux).',
    status: 503,
    retryable: false,
  },
  MEDIC_ERR_INGEST_TRACE_PRIVILEGE: {
    hint: 'Run `medic trace` as root or with CAP_SYS_ADMIN: attaching uprobes needs it (CAP_BPF and CAP_PERFMON alone were refused on tested kernels).',
    status: 403,
    retryable: false,
  },
  MEDIC_ERR_INGEST_TRACE_BINARY: {
    hint: 'Trace an unstripped x86-64 Go 1.17+ ELF binary with DWARF: build it without -ldflags=-s or -w.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_INGEST_TRACE_SYMBOL: {
    hint: 'Name the function as the Go runtime prints it (main.handle, pkg.(*T).Method); if it was inlined, build with -gcflags=all=-l or probe its caller.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_INGEST_TRACE_PID: {
    hint: 'Give the id of a running process of the traced binary (see `pgrep -f BINARY`).',
    status: 404,
    retryable: false,
  },
  MEDIC_ERR_INGEST_TRACE_OUTPUT: {
    hint: 'The events file could not be written; check its directory, free space and permissions.',
    status: 500,
    retryable: false,
  },
  MEDIC_ERR_INGEST_TRACE_ATTACH: {
    hint: 'The kernel refused to load or attach the probes; the libbpf log in the message says why.',
    status: 500,
    retryable: false,
  },

  // --- diagnose ---
  MEDIC_ERR_DIAGNOSE_NO_RULE: {
    hint: 'No rule matches this failure class; configure an LLM provider (MEDIC_LLM_*) for a diagnosis.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_DIAGNOSE_LOCATION_NOT_FOUND: {
    hint: 'The blamed location is not in the repository at this revision; check the repo path and revision.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_DIAGNOSE_NO_LOCATION: {
    hint: 'No frame, profile stack or suspect of this failure lies in the repository; check service.repo.path and that the artifacts come from this code.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_DIAGNOSE_WEAK_EVIDENCE: {
    hint: 'A diagnosis cites at least two evidence items; record more artifacts (profiles, trace, request) for this incident.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_DIAGNOSE_LLM_INVALID: {
    hint: "The model's answer failed the schema or the checks twice (answer and repair round); try another model, or --provider rules.",
    status: 502,
    retryable: false,
  },
  MEDIC_ERR_DIAGNOSE_LLM_AUTH: {
    hint: 'The LLM endpoint refused the credentials; check MEDIC_LLM_API_KEY.',
    status: 502,
    retryable: false,
  },
  MEDIC_ERR_DIAGNOSE_LLM_REJECTED: {
    hint: 'The LLM endpoint rejected the request (bad model name, unsupported parameter, context too long); see the message, check MEDIC_LLM_MODEL.',
    status: 502,
    retryable: false,
  },
  MEDIC_ERR_DIAGNOSE_LLM_RATE_LIMITED: {
    hint: 'The LLM endpoint kept answering 429 after the retries allowed; wait, or raise llm.maxRetries.',
    status: 503,
    retryable: true,
  },
  MEDIC_ERR_DIAGNOSE_LLM_UNAVAILABLE: {
    hint: 'The LLM endpoint kept failing (5xx) after the retries allowed; check the server.',
    status: 503,
    retryable: true,
  },

  // --- patch ---
  MEDIC_ERR_PATCH_NO_CANDIDATE: {
    hint: 'No edit operation applies to the blamed code; the diagnosis is kept for a human to fix by hand.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_PATCH_PRECONDITION: {
    hint: 'The code at the blamed location does not have the shape this operation needs.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_PATCH_PARSE: {
    hint: 'The Go source could not be parsed; is it valid Go?',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_PATCH_GOFMT: {
    hint: 'gofmt rejected the edited source; see the gofmt output.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_PATCH_PROPOSAL_INVALID: {
    hint: 'The proposed patch does not match the operation schema; the listed fields say what is wrong.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_PATCH_OUT_OF_SCOPE: {
    hint: 'A proposed edit lies outside the blamed function and the sites the evidence names; propose a change there.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_PATCH_FORBIDDEN_IMPORT: {
    hint: 'A proposed edit imports os/exec, net, unsafe, syscall, reflect or cgo, which the file did not use; repair without them.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_PATCH_TOO_LARGE: {
    hint: 'The proposed change is larger than the size limit; propose a smaller, targeted fix.',
    status: 422,
    retryable: false,
  },

  // --- verify ---
  MEDIC_ERR_VERIFY_TOOLCHAIN: {
    hint: 'The Go toolchain could not be run; install Go 1.22+ and put `go` on PATH (or set MEDIC_GO).',
    status: 500,
    retryable: false,
  },
  MEDIC_ERR_VERIFY_WORKSPACE: {
    hint: 'The scratch workspace could not be prepared; check free disk space and permissions of the work directory.',
    status: 500,
    retryable: true,
  },
  MEDIC_ERR_VERIFY_SANDBOX: {
    hint: 'The sandbox launcher could not run the steps; check that node, unshare/prlimit (or none of them) work, and see the details.',
    status: 500,
    retryable: true,
  },
  MEDIC_ERR_VERIFY_BAD_PATCH: {
    hint: 'The patch is unusable: a patch file must be a unified diff (regenerate it with `git diff > fix.patch`); a Patch record must match its schema (the details list the fields).',
    status: 400,
    retryable: false,
  },
  MEDIC_ERR_VERIFY_NO_CANDIDATES: {
    hint: 'There was no candidate patch to verify; run the patch stage or pass --patch FILE.',
    status: 422,
    retryable: false,
  },

  // --- propose ---
  MEDIC_ERR_PROPOSE_GIT: {
    hint: 'A git command failed in the target repository; see the git output.',
    status: 500,
    retryable: false,
  },
  MEDIC_ERR_PROPOSE_NOT_VERIFIED: {
    hint: 'Only a verified patch is proposed; see the verification checks for why it was not.',
    status: 409,
    retryable: false,
  },
  MEDIC_ERR_PROPOSE_FORGE_AUTH: {
    hint: 'The forge refused the token; set MEDIC_GITHUB_TOKEN to a token that may push branches and open pull requests on the repository.',
    status: 502,
    retryable: false,
  },
  MEDIC_ERR_PROPOSE_FORGE_REJECTED: {
    hint: "The forge rejected the request (unknown repository, invalid field); the message carries the forge's answer.",
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_PROPOSE_FORGE_UNAVAILABLE: {
    hint: 'The forge answered 5xx or a rate limit; the job is retried with backoff.',
    status: 503,
    retryable: true,
  },
  MEDIC_ERR_PROPOSE_PUSH: {
    hint: 'Pushing the branch failed; check service.forge.github.pushUrl (or the repository URL) and that the token may push.',
    status: 502,
    retryable: true,
  },
  MEDIC_ERR_PROPOSE_FETCH: {
    hint: "Fetching the proposal's branch into this worker's checkout failed; check service.forge.github.pushUrl and that the token may read the repository.",
    status: 502,
    retryable: true,
  },
  MEDIC_ERR_PROPOSE_NOT_PUBLISHED: {
    hint: 'The proposal cannot be found where it was published (not a pull request of the configured repository, or its branch no longer holds the proposed commit); propose the fix again.',
    status: 409,
    retryable: false,
  },

  // --- service (HTTP intake, queues, ledger) ---
  MEDIC_ERR_SERVICE_UNAUTHORIZED: {
    hint: 'Send the credentials configured for this source: `Authorization: Bearer <MEDIC_API_TOKEN>` or the basic-auth user of the source.',
    status: 401,
    retryable: false,
  },
  MEDIC_ERR_SERVICE_BAD_SIGNATURE: {
    hint: 'The HMAC-SHA256 signature does not match the body; check the shared secret and the signature header name.',
    status: 401,
    retryable: false,
  },
  MEDIC_ERR_SERVICE_STALE_SIGNATURE: {
    hint: "The signed timestamp is outside the allowed window (a replayed or delayed request); check the sender's clock.",
    status: 401,
    retryable: false,
  },
  MEDIC_ERR_SERVICE_INVALID_PAYLOAD: {
    hint: 'The body does not match the schema of this endpoint; the listed zod issues say which fields.',
    status: 400,
    retryable: false,
  },
  MEDIC_ERR_SERVICE_INVALID_JSON: {
    hint: 'The body is not valid JSON.',
    status: 400,
    retryable: false,
  },
  MEDIC_ERR_SERVICE_UNSUPPORTED_MEDIA: {
    hint: 'Send the body as application/json.',
    status: 415,
    retryable: false,
  },
  MEDIC_ERR_SERVICE_BODY_TOO_LARGE: {
    hint: 'The body is larger than service.bodyLimitBytes; send smaller artifacts or reference them by URL.',
    status: 413,
    retryable: false,
  },
  MEDIC_ERR_SERVICE_RATE_LIMITED: {
    hint: "Too many requests from this source; retry after the time in the retry-after header, or raise the source's rateLimit.",
    status: 429,
    retryable: true,
  },
  MEDIC_ERR_SERVICE_UNKNOWN_SERVICE: {
    hint: 'No entry of service.services matches the alert labels or the service name; add one (labels -> repository).',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_SERVICE_NOT_FOUND: {
    hint: 'No incident with this id is in the ledger; list them with GET /v1/incidents.',
    status: 404,
    retryable: false,
  },
  MEDIC_ERR_SERVICE_LEDGER: {
    hint: 'The ledger database could not be reached or refused a statement; check DATABASE_URL and that PostgreSQL is up.',
    status: 503,
    retryable: true,
  },
  MEDIC_ERR_SERVICE_QUEUE: {
    hint: 'The job queue (Redis) could not be reached; check MEDIC_REDIS_URL and that Redis is up.',
    status: 503,
    retryable: true,
  },
  MEDIC_ERR_SERVICE_ARTIFACT_FETCH: {
    hint: 'An artifact source of the service (pprof URL or log file) could not be read; the incident goes on without it.',
    status: 502,
    retryable: true,
  },
  MEDIC_ERR_SERVICE_INTERNAL: {
    hint: 'An unexpected error inside the service; its log has the stack. Report it with the request id.',
    status: 500,
    retryable: true,
  },
  MEDIC_ERR_SERVICE_INCIDENT_STATE: {
    hint: 'The incident is not in a state where this stage can run (closed, duplicate, or its input record is missing).',
    status: 409,
    retryable: false,
  },

  // --- rollout ---
  MEDIC_ERR_ROLLOUT_NO_PROPOSAL: {
    hint: 'There is no proposed fix to roll out; run `medic replay` on the incident first (its --out directory holds proposal.json and repo/).',
    status: 404,
    retryable: false,
  },
  MEDIC_ERR_ROLLOUT_NOT_VERIFIED: {
    hint: 'Only a verified patch is rolled out; see verifications.json for why no candidate was verified.',
    status: 409,
    retryable: false,
  },
  MEDIC_ERR_ROLLOUT_NOT_APPROVED: {
    hint: 'The fix has not been reviewed: approve or merge its pull request (rollout.approval in medic.config.json says which), or approve it yourself with --approve.',
    status: 403,
    retryable: false,
  },
  MEDIC_ERR_ROLLOUT_REVIEW_UNAVAILABLE: {
    hint: 'The review status could not be read from the forge; check MEDIC_GITHUB_TOKEN, rollout.github.apiUrl and the pull-request URL.',
    status: 502,
    retryable: true,
  },
  MEDIC_ERR_ROLLOUT_UNSUPPORTED: {
    hint: 'The local driver rolls out HTTP services only (service.mode http with an {addr} argument); export to Argo Rollouts or Flagger instead.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_ROLLOUT_BUILD: {
    hint: 'The stable or the patched service did not build with the machine’s Go; see the compiler output.',
    status: 422,
    retryable: false,
  },
  MEDIC_ERR_ROLLOUT_DRIVER: {
    hint: 'The local deployment (proxy and service processes) failed to start or stopped answering; see its agent.log in the rollout state directory.',
    status: 502,
    retryable: true,
  },
  MEDIC_ERR_ROLLOUT_PROMETHEUS: {
    hint: 'Prometheus rejected a gate query or answered something else than its HTTP API; check --prometheus and that it scrapes the rollout metrics.',
    status: 502,
    retryable: true,
  },
  MEDIC_ERR_ROLLOUT_LOCKED: {
    hint: 'Another controller is running this rollout (see the pid in the lock file); wait for it or stop it first.',
    status: 409,
    retryable: true,
  },
  MEDIC_ERR_ROLLOUT_RECORD_MISMATCH: {
    hint: 'The stored rollout is for another patch or plan; pass --restart to discard it and start a new rollout.',
    status: 409,
    retryable: false,
  },
  MEDIC_ERR_ROLLOUT_EXPORT_INVALID: {
    hint: 'A generated manifest does not match its schema; this is a bug in Medic, please report it with the message.',
    status: 500,
    retryable: false,
  },

  // --- fixtures (the incident recorder in scripts/fixtures) ---
  MEDIC_ERR_FIXTURE_BUILD: {
    hint: "The fixture's service did not build with `go build -trimpath`; see the compiler output.",
    status: 500,
    retryable: false,
  },
  MEDIC_ERR_FIXTURE_NOT_READY: {
    hint: 'The service exited or did not answer its ready path in time; see its stderr in the message.',
    status: 500,
    retryable: false,
  },
  MEDIC_ERR_FIXTURE_TRAFFIC: {
    hint: "A normal request failed or got a status the scenario does not expect; fix the scenario's traffic or the service.",
    status: 500,
    retryable: false,
  },
  MEDIC_ERR_FIXTURE_PROFILE: {
    hint: 'A profile could not be fetched from the pprof endpoint or is not gzipped pprof; check the service serves net/http/pprof.',
    status: 500,
    retryable: false,
  },
  MEDIC_ERR_FIXTURE_OUTCOME: {
    hint: "The service did not end the way scenario.json's outcome says (exit, log line or still running); see its stderr.",
    status: 500,
    retryable: false,
  },

  // --- transport (connection, timeout, abort): kept apart from stage errors ---
  MEDIC_ERR_TRANSPORT_CONNECTION: {
    hint: 'The remote service could not be reached; check its address and that it is up.',
    status: 502,
    retryable: true,
  },
  MEDIC_ERR_TRANSPORT_TIMEOUT: {
    hint: 'The operation took longer than its time limit; raise the limit or check the remote side.',
    status: 504,
    retryable: true,
  },
  MEDIC_ERR_TRANSPORT_ABORTED: { hint: 'The operation was cancelled.', status: 499, retryable: false },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCodes;
