/* Contract between bpf/medic.bpf.c (kernel side), native/src (the addon) and
 * src/ingest/trace/collector-decode.ts (the decoder): the config record the
 * collector writes into the `medic_config` map and the fixed-size event record
 * the programs emit into the `medic_events` ring buffer.
 *
 * Layout rules: little-endian x86-64, every field naturally aligned, no padding,
 * sizes fixed. Any change here must change MEDIC_EVENT_* offsets in
 * collector-decode.ts in the same commit: the addon exports the real offsets
 * (eventLayout()) and test/ebpf/layout.test.ts compares them.
 */
#ifndef MEDIC_CONTRACT_H
#define MEDIC_CONTRACT_H

#define MEDIC_STACK_DEPTH 32
#define MEDIC_STR_MAX 256 /* panic message bytes copied; power of two (verifier mask) */
#define MEDIC_RAW_MAX 32  /* bytes of the panic value copied from its data word */

/* Event kinds (medic_event.kind). */
#define MEDIC_EV_PANIC 1    /* runtime.gopanic entry */
#define MEDIC_EV_GOCREATE 2 /* runtime.newproc1 entry */
#define MEDIC_EV_GCSTART 3  /* runtime.gcStart entry */
#define MEDIC_EV_USER 4     /* a user function's entry; cookie = its index */

/* Written once by the collector after load (map medic_config, key 0). All
 * offsets come from the target binary's DWARF; addresses are link-time
 * (file) virtual addresses: the programs add the load bias themselves,
 * computed as the probe's runtime ip minus newproc1_vaddr/gopanic_vaddr. */
struct medic_config {
	__u64 goid_off;          /* runtime.g.goid */
	__u64 g_m_off;           /* runtime.g.m */
	__u64 m_p_off;           /* runtime.m.p */
	__u64 p_goidcache_off;   /* runtime.p.goidcache */
	__u64 p_goidcacheend_off;/* runtime.p.goidcacheend */
	__u64 goidgen_vaddr;     /* &runtime.sched.goidgen (link-time) */
	__u64 newproc1_vaddr;    /* runtime.newproc1 (link-time), for the load bias */
	__u64 flags;             /* MEDIC_CFG_* */
	__u64 g_parent_goid_off; /* runtime.g.parentGoid (Go 1.21+); 0: unknown */
	__u64 g_sched_bp_off;    /* runtime.g.sched + runtime.gobuf.bp; 0: unknown */
};
#define MEDIC_CFG_STACKS 1 /* capture user stacks for user-function events */

/* Every record starts with struct medic_event (352 bytes); panic records are a
 * struct medic_panic_event (640 bytes): the event followed by the panic value.
 * Small records keep the ring buffer and the copy to JavaScript cheap for the
 * frequent kinds. Readers tell them apart by kind. */
struct medic_event {
	__u32 kind;          /*   0 MEDIC_EV_* */
	__u32 cookie;        /*   4 user function index (MEDIC_EV_USER) */
	__u32 pid;           /*   8 tgid */
	__u32 tid;           /*  12 */
	__u64 time_ns;       /*  16 bpf_ktime_get_ns (CLOCK_MONOTONIC) */
	__u64 goid;          /*  24 current goroutine; GOCREATE: the one running the go statement */
	__u64 parent_goid;   /*  32 the goroutine that created goid (g.parentGoid), 0 if unknown */
	__u64 ip;            /*  40 probe address (runtime) */
	__u64 sp;            /*  48 stack pointer at the probe (as at entry); kept for debugging */
	__u64 caller;        /*  56 return address *(u64*)sp; GOCREATE: callerpc */
	__u64 aux0;          /*  64 PANIC: type word (RAX); GOCREATE: fn code pointer */
	__u64 aux1;          /*  72 PANIC: data word (RBX); GOCREATE: the new goroutine's id (predicted) */
	__u32 stack_n;       /*  80 frames in stack[] */
	__u32 str_len;       /*  84 PANIC: bytes copied into str[] */
	__u64 str_total;     /*  88 PANIC: the string's real length (second word of raw[]) */
	__u64 stack[MEDIC_STACK_DEPTH]; /* 96 ip, caller, then the frame-pointer chain;
	                                  GOCREATE: the creator's return addresses from the go statement */
};                           /* 352 */

struct medic_panic_event {
	struct medic_event ev;   /*   0 */
	__u8 raw[MEDIC_RAW_MAX]; /* 352 bytes at the data word */
	__u8 str[MEDIC_STR_MAX]; /* 384 bytes of the string {raw[0:8], raw[8:16]} */
};                           /* 640 */

#define MEDIC_EVENT_SIZE 352
#define MEDIC_PANIC_EVENT_SIZE 640

#endif
