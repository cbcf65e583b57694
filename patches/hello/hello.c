/* hello: the smallest Linux userspace. As process 1 it mounts devtmpfs to
 * reach the console, prints one line naming the machine and the kernel,
 * then reboots: under qemu -no-reboot, that ends the emulator. */

#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void)
{
	struct utsname u;
	int fd;

	/* an initramfs made without root privileges holds no device nodes */
	mount("devtmpfs", "/dev", "devtmpfs", 0, 0);
	fd = open("/dev/console", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	if (uname(&u) == 0)
		printf("hello from %s, Linux %s\n", u.machine, u.release);
	else
		printf("hello, but uname failed\n");
	fflush(stdout);
	sync();
	reboot(RB_AUTOBOOT);
	return 0;
}
