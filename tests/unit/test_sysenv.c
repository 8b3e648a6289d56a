/* Finding the cgroup v2 mount in /proc/self/mountinfo text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "sysenv.h"

static void hybrid_layout(void **state)
{
	const char *mi =
		"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
		"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
		"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw\n";
	char out[256];
	bool whole = false;

	(void)state;
	assert_int_equal(pdtt_parse_cgroup2_mount(mi, out, sizeof(out), &whole), 0);
	assert_string_equal(out, "/sys/fs/cgroup/unified");
	assert_true(whole);
}

static void unified_layout_and_escapes(void **state)
{
	const char *mi = "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
			 "25 22 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
	const char *spaced = "25 22 0:22 / /mnt/my\\040cg rw - cgroup2 none rw\n";
	char out[256];
	bool whole = false;

	(void)state;
	assert_int_equal(pdtt_parse_cgroup2_mount(mi, out, sizeof(out), &whole), 0);
	assert_string_equal(out, "/sys/fs/cgroup");
	assert_int_equal(pdtt_parse_cgroup2_mount(spaced, out, sizeof(out), &whole), 0);
	assert_string_equal(out, "/mnt/my cg");
}

static void prefers_the_hierarchy_root(void **state)
{
	const char *mi = "50 22 0:22 /system.slice /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
			 "51 22 0:22 / /run/cg rw - cgroup2 cgroup2 rw\n";
	const char *sub_only = "50 22 0:22 /lxc/c1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw";
	char out[256];
	bool whole = true;

	(void)state;
	assert_int_equal(pdtt_parse_cgroup2_mount(mi, out, sizeof(out), &whole), 0);
	assert_string_equal(out, "/run/cg");
	assert_true(whole);
	assert_int_equal(pdtt_parse_cgroup2_mount(sub_only, out, sizeof(out), &whole), 0);
	assert_string_equal(out, "/sys/fs/cgroup");
	assert_false(whole);
}

static void none_and_lookalikes(void **state)
{
	const char *mi = "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
			 "33 31 0:30 / /cgroup2 rw - tmpfs cgroup2 rw\n"
			 "garbage line\n\n";
	char out[256];
	bool whole;

	(void)state;
	assert_int_equal(pdtt_parse_cgroup2_mount(mi, out, sizeof(out), &whole), -ENOENT);
	assert_int_equal(pdtt_parse_cgroup2_mount("", out, sizeof(out), &whole), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hybrid_layout),
		cmocka_unit_test(unified_layout_and_escapes),
		cmocka_unit_test(prefers_the_hierarchy_root),
		cmocka_unit_test(none_and_lookalikes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
