#include "privileges.h"

#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "errors.h"

/* What tests use: files as root (chown, any mode), signals, ids; their own network namespace
 * (low ports, raw sockets, addresses, routes, links, qdiscs); chroot, ptrace within their pid
 * namespace, mlock, leases. Left out is whatever undoes the isolation or reaches the machine:
 * CAP_SYS_ADMIN (umount /proc, mount, setns, hostname), SYS_MODULE, SYS_RAWIO, SYS_TIME,
 * SYS_RESOURCE (raising an @Rlimit back), SYS_NICE (real-time priority beyond the CPU limit),
 * MKNOD (device nodes of the machine's disks), DAC_READ_SEARCH (open_by_handle_at), SETFCAP,
 * BPF, PERFMON, the audit, MAC and syslog ones. Docker's default set, plus NET_ADMIN and
 * SYS_PTRACE, minus MKNOD and SETFCAP. */
static const int kept_capabilities[] = {
	CAP_CHOWN,      CAP_DAC_OVERRIDE, CAP_FOWNER,   CAP_FSETID,           CAP_KILL,
	CAP_SETGID,     CAP_SETUID,       CAP_SETPCAP,  CAP_NET_BIND_SERVICE, CAP_NET_BROADCAST,
	CAP_NET_ADMIN,  CAP_NET_RAW,      CAP_IPC_LOCK, CAP_IPC_OWNER,        CAP_SYS_CHROOT,
	CAP_SYS_PTRACE, CAP_AUDIT_WRITE,  CAP_LEASE,
};

static const char hint_unprivileged_use[] =
	"the launcher needs no privilege of its own: run it as root, or as an ordinary user (it then makes a user "
	"namespace of its own)";

/* As a setuid or file-capability binary it would hand root's powers (mounts, cgroups, namespaces)
 * to any local user. AT_SECURE is the kernel's own account of this exec (set for setuid, setgid
 * and capabilities gained from the file), so no file check can be raced; the file is checked too,
 * so that a copy made that way is refused when root runs it, before anyone else can. */
void refuse_raised_privileges(void)
{
	struct stat st;
	static char hint[4096 + 512];
	bool file_caps = getxattr("/proc/self/exe", "security.capability", NULL, 0) >= 0;
	bool set_id = getuid() != geteuid() || getgid() != getegid() ||
		      (stat("/proc/self/exe", &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID)));

	if (set_id) {
		snprintf(hint, sizeof hint,
			 "refusing to run setuid/setgid: remove the bit (chmod u-s,g-s); %s",
			 hint_unprivileged_use);
		die_with_errno(0, EXIT_INTERNAL, hint, "checking privileges",
			       "getuid()=%u geteuid()=%u getgid()=%u getegid()=%u",
			       (unsigned)getuid(), (unsigned)geteuid(), (unsigned)getgid(),
			       (unsigned)getegid());
	}
	if (file_caps || getauxval(AT_SECURE)) {
		char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		exe[n > 0 ? n : 0] = '\0';
		snprintf(hint, sizeof hint,
			 "refusing to run with file capabilities: remove them (setcap -r %s); %s",
			 n > 0 ? exe : "PATH", hint_unprivileged_use);
		die_with_errno(
			0, EXIT_INTERNAL, hint, "checking privileges",
			"getxattr(\"/proc/self/exe\", \"security.capability\")=%s AT_SECURE=%lu",
			file_caps ? "present" : "none", getauxval(AT_SECURE));
	}
}

static uint64_t kept_mask(void)
{
	uint64_t mask = 0;
	for (size_t i = 0; i < sizeof kept_capabilities / sizeof kept_capabilities[0]; i++)
		mask |= 1ULL << kept_capabilities[i];
	return mask;
}

void restrict_privileges(bool all_capabilities)
{
	struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];
	uint64_t keep = kept_mask();

	/* A setuid or file-capability program in the test cannot gain more than the sandbox has. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "restricting privileges",
			       "prctl(PR_SET_NO_NEW_PRIVS, 1)");
	if (all_capabilities)
		return;
	/* The bounding set is what an exec as root grants: dropping from it is what makes it stick. */
	for (int cap = 0; cap < 64; cap++) {
		if (keep & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0)
			break; /* EINVAL: beyond this kernel's last capability */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			die_with_errno(
				errno, EXIT_SANDBOX_SETUP,
				"dropping a capability from the bounding set needs CAP_SETPCAP, which the launcher lacks here; "
				"give it back, or keep every capability with --all-capabilities (nsjunit: @AllCapabilities)",
				"restricting privileges", "prctl(PR_CAPBSET_DROP, %d)", cap);
	}
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0,
		    0); /* EINVAL before Linux 4.3: none to clear */
	if (syscall(SYS_capget, &header, data) < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "restricting privileges", "capget()");
	for (int i = 0; i < 2; i++) {
		uint32_t part = (uint32_t)(keep >> (32 * i));
		data[i].effective &= part;
		data[i].permitted &= part;
		data[i].inheritable &=
			part; /* an exec as root adds the inheritable set to what it grants */
	}
	if (syscall(SYS_capset, &header, data) < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "restricting privileges", "capset()");
}
