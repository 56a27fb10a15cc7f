/* static_stubs.c - linked into numarun-static (configure --enable-static-numarun), and into numarun where it
 * is linked with the static archives of its dependencies (configure --enable-static-deps, the default where
 * they are installed).
 *
 * The static archives reference two things a self-contained binary cannot, or must not, use at run time.
 * This file stands in for each of them with "not available here" behaviour, so that numarun-static needs
 * nothing from the image it runs in (it works in a FROM scratch image), and numarun with static dependencies
 * needs only glibc.
 *
 * libudev. Debian's libhwloc.a is built with libudev, which ships no static archive. hwloc asks udev only
 * for the vendor, model, serial and type of block devices (I/O objects), and creates its udev context with
 * udev_new() when it reads the real /sys. When udev_new() returns NULL hwloc keeps going: it reads the same
 * properties from /run/udev/data itself, as it does for any other fsroot. numarun filters I/O objects out
 * (HWLOC_TYPE_FILTER_KEEP_NONE), so none of this is asked for; CPUs, caches and NUMA nodes come from sysfs
 * either way. The other entry points are never reached without a context; they do nothing.
 *
 * dlopen. libhwloc.a keeps hwloc's plugin loader: at its first topology it lists the plugin directory
 * (HWLOC_PLUGINS_PATH, default /usr/lib/<triplet>/hwloc) and dlopens every hwloc_*.so there. Those
 * plugins link against the shared libhwloc; loaded into a static hwloc they would bring a second hwloc, and
 * a second glibc, into the process. Whatever the environment says, numarun-static loads no code: the
 * linker sends hwloc's dlopen, dlsym, dlclose and dlerror here (-Wl,--wrap=dlopen and so on, see
 * NUMARUN_STATIC_LDFLAGS in configure.ac) and dlopen fails. hwloc then uses its built-in components
 * (linux, synthetic, xml without libxml2, noos), which are all numarun needs. No environment variable is
 * set for this, so the target's environment is the one numarun was given. (Only hwloc's own calls go here:
 * glibc's dlopen is left alone for glibc.)
 *
 * modff. hwloc's XML reader is the only caller of libm in numarun. Where numarun links its dependencies
 * statically but glibc shared, the linker sends that call here (-Wl,--wrap=modff, see NUMARUN_DEPS_LDFLAGS in
 * configure.ac), so that libm.so is not loaded, mapped and relocated at every launch for one function.
 *
 * No config.h: nothing here depends on it, and configure links this file in its check of the static link. */
#include <stddef.h>

struct udev;
struct udev_device;

struct udev *udev_new(void);
struct udev *udev_unref(struct udev *udev);
struct udev_device *udev_device_new_from_subsystem_sysname(struct udev *udev, const char *subsystem,
							   const char *sysname);
const char *udev_device_get_property_value(struct udev_device *dev, const char *key);
struct udev_device *udev_device_unref(struct udev_device *dev);

struct udev *udev_new(void)
{
	return NULL;
}

struct udev *udev_unref(struct udev *udev)
{
	(void)udev;
	return NULL;
}

struct udev_device *udev_device_new_from_subsystem_sysname(struct udev *udev, const char *subsystem,
							   const char *sysname)
{
	(void)udev;
	(void)subsystem;
	(void)sysname;
	return NULL;
}

const char *udev_device_get_property_value(struct udev_device *dev, const char *key)
{
	(void)dev;
	(void)key;
	return NULL;
}

struct udev_device *udev_device_unref(struct udev_device *dev)
{
	(void)dev;
	return NULL;
}

void *__wrap_dlopen(const char *file, int mode);
void *__wrap_dlsym(void *handle, const char *name);
int __wrap_dlclose(void *handle);
char *__wrap_dlerror(void);

void *__wrap_dlopen(const char *file, int mode)
{
	(void)file;
	(void)mode;
	return NULL;
}

void *__wrap_dlsym(void *handle, const char *name)
{
	(void)handle;
	(void)name;
	return NULL;
}

int __wrap_dlclose(void *handle)
{
	(void)handle;
	return 0;
}

char *__wrap_dlerror(void)
{
	return (char *)"numarun loads no shared objects for hwloc (it is linked with the static libhwloc)";
}

/* modff: x's integral part in *ip (truncated toward zero) and its fractional part, both with x's sign. */
float __wrap_modff(float x, float *ip);
float __wrap_modff(float x, float *ip)
{
	if (!(__builtin_fabsf(x) < 8388608.0f)) { /* 2^23: already integral; also infinities and NaN */
		*ip = x;
		return x != x ? x : __builtin_copysignf(0.0f, x);
	}
	float t = __builtin_copysignf((float)(long)x, x);
	*ip = t;
	return __builtin_copysignf(x - t, x);
}
