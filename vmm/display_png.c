/* Screenshots as PNG files: libpng writes the image as 8-bit RGB rows into FILE.tmp, renamed over FILE once complete. */
#include "vmm/display_png.h"

#if KEEL_HAVE_PNG

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What libpng's error handler leaves for the caller. */
struct png_job {
	char msg[200];
};

static void png_job_error(png_structp png, png_const_charp msg)
{
	struct png_job *job = png_get_error_ptr(png);

	snprintf(job->msg, sizeof(job->msg), "%s", msg);
	png_longjmp(png, 1);
}

static void png_job_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* Encode into @f; returns 0 or -EIO with libpng's message in @job. */
static int png_encode(FILE *f, struct png_job *job, const uint32_t *pixels, uint32_t w, uint32_t h, size_t stride,
		      uint8_t *row)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, job, png_job_error, png_job_warning);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	volatile int ret = -EIO;

	if (!png || !info) {
		snprintf(job->msg, sizeof(job->msg), "out of memory");
		png_destroy_write_struct(png ? &png : NULL, NULL);
		return -ENOMEM;
	}
	if (setjmp(png_jmpbuf(png)) == 0) {
		png_init_io(png, f);
		png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
			     PNG_FILTER_TYPE_DEFAULT);
		png_set_compression_level(png, 6);
		png_write_info(png, info);
		for (uint32_t y = 0; y < h; y++) {
			const uint32_t *src = (const uint32_t *)((const uint8_t *)pixels + (size_t)y * stride);

			for (uint32_t x = 0; x < w; x++) {
				row[3 * x] = (uint8_t)(src[x] >> 16);
				row[3 * x + 1] = (uint8_t)(src[x] >> 8);
				row[3 * x + 2] = (uint8_t)src[x];
			}
			png_write_row(png, row);
		}
		png_write_end(png, NULL);
		ret = 0;
	}
	png_destroy_write_struct(&png, &info);
	return ret;
}

int display_png_write(const char *path, const uint32_t *pixels, uint32_t w, uint32_t h, size_t stride, char *err,
		      size_t errlen)
{
	struct png_job job = { .msg = "" };
	size_t len = strlen(path) + sizeof(".tmp");
	char *tmp = malloc(len);
	uint8_t *row = w && w <= PNG_UINT_31_MAX / 3 ? malloc((size_t)w * 3) : NULL;
	FILE *f = NULL;
	int ret;

	if (!tmp || !row || !h) {
		ret = !w || !h ? -EINVAL : -ENOMEM;
		snprintf(err, errlen, "screenshot %s: %s", path, ret == -EINVAL ? "an empty image" : "out of memory");
		goto out;
	}
	snprintf(tmp, len, "%s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "screenshot %s: cannot create %s: %s", path, tmp, strerror(errno));
		goto out;
	}
	ret = png_encode(f, &job, pixels, w, h, stride, row);
	if (fclose(f) != 0 && ret == 0) {
		ret = -errno;
		snprintf(job.msg, sizeof(job.msg), "%s", strerror(errno));
	}
	if (ret == 0 && rename(tmp, path) < 0) {
		ret = -errno;
		snprintf(job.msg, sizeof(job.msg), "cannot rename %s: %s", tmp, strerror(errno));
	}
	if (ret < 0) {
		snprintf(err, errlen, "screenshot %s: %s", path, job.msg);
		unlink(tmp);
	}
out:
	free(row);
	free(tmp);
	return ret;
}

#endif
