// SPDX-License-Identifier: GPL-2.0
/* CO-RE uprobes on Go (amd64, register ABI) binaries: panics, goroutine
 * creation, GC start and user functions, emitted as struct medic_event into
 * the medic_events ring buffer.
 *
 * Contract (see medic.h): programs
 *   uprobe_gopanic   -> runtime.gopanic(e any): type word in RAX, data in RBX
 *   uprobe_newproc1  -> runtime.newproc1(fn *funcval, callergp *g, callerpc uintptr, ...)
 *                       RAX, RBX, RCX; runs on g0, so the parent is callergp
 *   uprobe_gcstart   -> runtime.gcStart
 *   uprobe_user      -> any Go function; the attach cookie is its index
 * Probes sit past each function's stack check (native/goinspect/prologue.go), where
 * registers and the stack are still as at entry but morestack re-runs cannot hit twice.
 * maps: medic_config (array[1] of struct medic_config, written after load),
 *       medic_events (ring buffer of struct medic_event / medic_panic_event), medic_stats (percpu array: 0 hits, 1 drops).
 * Entry probes only: uretprobes corrupt Go stacks ("unexpected return pc").
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "medic.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct medic_config);
} medic_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024); /* ~47k events of burst */
} medic_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} medic_stats SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&medic_stats, &idx);
	if (v)
		*v += 1;
}

static __always_inline __u64 read_u64(__u64 addr)
{
	__u64 v = 0;
	bpf_probe_read_user(&v, sizeof(v), (const void *)addr);
	return v;
}

/* Reserves and fills the fields every event has. Returns NULL (and counts a
 * drop) when the ring buffer is full: the collector reports drops. */
static __always_inline void fill(struct pt_regs *ctx, struct medic_event *e, __u32 kind,
				 const struct medic_config *cfg)
{
	__u64 id = bpf_get_current_pid_tgid();
	e->kind = kind;
	e->cookie = 0;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->time_ns = bpf_ktime_get_ns();
	e->ip = PT_REGS_IP_CORE(ctx);
	e->sp = PT_REGS_SP_CORE(ctx);
	e->caller = read_u64(e->sp);
	/* R14 holds the current g in Go's register ABI. */
	__u64 g = BPF_CORE_READ(ctx, r14);
	e->goid = g ? read_u64(g + cfg->goid_off) : 0;
	e->parent_goid = g && cfg->g_parent_goid_off ? read_u64(g + cfg->g_parent_goid_off) : 0;
	e->aux0 = 0;
	e->aux1 = 0;
	e->stack_n = 0;
	e->str_len = 0;
	e->str_total = 0;
}

static __always_inline struct medic_event *begin(struct pt_regs *ctx, __u32 kind,
						 const struct medic_config *cfg)
{
	count(0);
	struct medic_event *e = bpf_ringbuf_reserve(&medic_events, sizeof(*e), 0);
	if (!e) {
		count(1);
		return NULL;
	}
	fill(ctx, e, kind, cfg);
	return e;
}

/* stack[0] = ip, stack[1] = caller, then the frame-pointer chain (Go keeps
 * frame pointers). At the probe (function entry, or just past its stack check:
 * nothing pushed yet) BP still belongs to the caller, whose return address is
 * [BP+8]; the immediate caller is only at *SP. The chain is walked here rather
 * than with bpf_get_stack(BPF_F_USER_STACK) because kernels differ on whether
 * they splice *SP in themselves at a push-%rbp probe, which would double a frame. */
static __always_inline __u32 walk_frames(struct medic_event *e, __u64 fp, __u32 n)
{
	for (int i = 0; i < MEDIC_STACK_DEPTH; i++) {
		if (!fp || n >= MEDIC_STACK_DEPTH)
			break;
		__u64 frame[2] = {0, 0}; /* saved BP, return address */
		if (bpf_probe_read_user(frame, sizeof(frame), (const void *)fp) != 0 || !frame[1])
			break;
		e->stack[n & (MEDIC_STACK_DEPTH - 1)] = frame[1];
		n++;
		/* Frames grow towards higher addresses; anything else is a broken chain. */
		if (frame[0] <= fp)
			break;
		fp = frame[0];
	}
	return n;
}

static __always_inline void capture_stack(struct pt_regs *ctx, struct medic_event *e)
{
	e->stack[0] = e->ip;
	e->stack[1] = e->caller;
	e->stack_n = walk_frames(e, PT_REGS_FP_CORE(ctx), 2);
}

static __always_inline const struct medic_config *get_config(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&medic_config, &zero);
}

SEC("uprobe")
int uprobe_gopanic(struct pt_regs *ctx)
{
	const struct medic_config *cfg = get_config();
	if (!cfg)
		return 0;
	count(0);
	struct medic_panic_event *pe = bpf_ringbuf_reserve(&medic_events, sizeof(*pe), 0);
	if (!pe) {
		count(1);
		return 0;
	}
	struct medic_event *e = &pe->ev;
	fill(ctx, e, MEDIC_EV_PANIC, cfg);
	__builtin_memset(pe->raw, 0, sizeof(pe->raw));
	pe->str[0] = 0;
	e->aux0 = PT_REGS_RC_CORE(ctx); /* RAX: the _type of the panic value */
	e->aux1 = BPF_CORE_READ(ctx, bx); /* RBX: its data word */
	if (e->aux1)
		bpf_probe_read_user(pe->raw, sizeof(pe->raw), (const void *)e->aux1);
	/* If the value is a string, or a pointer to a struct whose first field
	 * is a string (errors.New, fmt.Errorf), raw[0:16] is that string's
	 * header. User space decides from the type whether to believe it. */
	__u64 ptr = *(__u64 *)&pe->raw[0];
	__u64 len = *(__u64 *)&pe->raw[8];
	e->str_total = len;
	__u32 n = len > MEDIC_STR_MAX - 1 ? MEDIC_STR_MAX - 1 : (__u32)len;
	barrier_var(n);
	n &= MEDIC_STR_MAX - 1;
	if (ptr && n > 0 && bpf_probe_read_user(pe->str, n, (const void *)ptr) == 0)
		e->str_len = n;
	capture_stack(ctx, e);
	bpf_ringbuf_submit(pe, BPF_RB_FORCE_WAKEUP);
	return 0;
}

SEC("uprobe")
int uprobe_newproc1(struct pt_regs *ctx)
{
	const struct medic_config *cfg = get_config();
	if (!cfg)
		return 0;
	struct medic_event *e = begin(ctx, MEDIC_EV_GOCREATE, cfg);
	if (!e)
		return 0;
	__u64 fn = PT_REGS_RC_CORE(ctx);
	__u64 callergp = BPF_CORE_READ(ctx, bx);
	e->caller = BPF_CORE_READ(ctx, cx); /* callerpc: the go statement */
	e->aux0 = fn ? read_u64(fn) : 0;    /* funcval.fn: the started function */
	/* newproc1 runs on g0: the goroutine running the go statement is callergp. */
	e->goid = callergp ? read_u64(callergp + cfg->goid_off) : 0;
	e->parent_goid = callergp && cfg->g_parent_goid_off ? read_u64(callergp + cfg->g_parent_goid_off) : 0;
	/* The new goroutine's id is assigned inside newproc1 from the P's cache
	 * (pp.goidcache), refilled from sched.goidgen when empty: predict it. */
	__u64 g0 = BPF_CORE_READ(ctx, r14);
	__u64 m = g0 ? read_u64(g0 + cfg->g_m_off) : 0;
	__u64 p = m ? read_u64(m + cfg->m_p_off) : 0;
	if (p) {
		__u64 cache = read_u64(p + cfg->p_goidcache_off);
		__u64 end = read_u64(p + cfg->p_goidcacheend_off);
		__u64 bias = e->ip - cfg->newproc1_vaddr;
		e->aux1 = cache != end ? cache : read_u64(cfg->goidgen_vaddr + bias) + 1;
	}
	/* The creator's stack: systemstack saved a frame pointer in callergp.sched.bp,
	 * a frame or two below newproc's; its chain reaches the go statement's return
	 * address (callerpc, already stack[0]) within a few frames: continue past it. */
	e->stack[0] = e->caller;
	__u32 n = 1;
	if (callergp && cfg->g_sched_bp_off) {
		__u64 fp = read_u64(callergp + cfg->g_sched_bp_off);
		for (int i = 0; i < 4 && fp; i++) {
			__u64 frame[2] = {0, 0};
			if (bpf_probe_read_user(frame, sizeof(frame), (const void *)fp) != 0 || frame[0] <= fp)
				break;
			fp = frame[0];
			if (frame[1] == e->caller) {
				n = walk_frames(e, fp, 1);
				break;
			}
		}
	}
	e->stack_n = n;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("uprobe")
int uprobe_gcstart(struct pt_regs *ctx)
{
	const struct medic_config *cfg = get_config();
	if (!cfg)
		return 0;
	struct medic_event *e = begin(ctx, MEDIC_EV_GCSTART, cfg);
	if (!e)
		return 0;
	capture_stack(ctx, e);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("uprobe")
int uprobe_user(struct pt_regs *ctx)
{
	const struct medic_config *cfg = get_config();
	if (!cfg)
		return 0;
	struct medic_event *e = begin(ctx, MEDIC_EV_USER, cfg);
	if (!e)
		return 0;
	e->cookie = (__u32)bpf_get_attach_cookie(ctx);
	if (cfg->flags & MEDIC_CFG_STACKS) {
		capture_stack(ctx, e);
	} else {
		e->stack[0] = e->ip;
		e->stack[1] = e->caller;
		e->stack_n = 2;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}
