/*
 * WAV player and recorder over libsndfile.  Players accept RIFF WAVE
 * (and WAVE_FORMAT_EXTENSIBLE) mono files with 16-bit PCM or G.711
 * mu-law/A-law data (ITU-T G.711, decoded by libsndfile); recorders write
 * 16-bit PCM WAVE.  We open the descriptor ourselves so open(2) errors
 * reach the caller as errno values.
 */
#define SX_LOG_MOD "media.wav"

#include <errno.h>
#include <fcntl.h>
#include <sndfile.h>
#include <string.h>
#include <unistd.h>

#include <sx/media/wav.h>
#include <sx/util/log.h>

#include "media_int.h"

struct wav_player {
	struct sx_media_port port;
	SNDFILE *sf;
	int fd;
	bool loop;
	bool eof;
};

struct wav_recorder {
	struct sx_media_port port;
	SNDFILE *sf;
	int fd;
	uint64_t written; /* samples */
	uint64_t max;     /* samples */
};

static void fd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* -- player ---------------------------------------------------------- */

/* Reads what is left of one pass; returns samples read or -EIO. */
static int player_read(struct wav_player *pl, int16_t *pcm, size_t n)
{
	sf_count_t r = sf_readf_short(pl->sf, pcm, (sf_count_t)n);
	if (r > 0)
		return (int)r;
	return sf_error(pl->sf) != SF_ERR_NO_ERROR ? -EIO : 0;
}

static int player_get(struct sx_media_port *p, int16_t *pcm, size_t n)
{
	struct wav_player *pl = (struct wav_player *)p;
	size_t got = 0;
	bool rewound = false;

	while (got < n && !pl->eof) {
		int r = player_read(pl, pcm + got, n - got);
		if (r < 0)
			return r;
		if (r > 0) {
			got += (size_t)r;
			rewound = false;
			continue;
		}
		/* End of file: rewind once; an empty file ends anyway. */
		if (!pl->loop || rewound || sf_seek(pl->sf, 0, SEEK_SET) < 0)
			pl->eof = true;
		rewound = true;
	}
	if (got < n)
		memset(pcm + got, 0, (n - got) * sizeof(*pcm));
	return (int)got;
}

static void player_destroy(struct sx_media_port *p)
{
	struct wav_player *pl = (struct wav_player *)p;
	if (pl->sf)
		sf_close(pl->sf);
	fd_close(&pl->fd);
}

static const struct sx_media_port_vt player_vt = {
    .name = "wav-player",
    .get_frame = player_get,
    .destroy = player_destroy,
};

/* What we play: mono WAV in 16-bit PCM or G.711. */
static int player_check(const SF_INFO *info)
{
	int type = info->format & SF_FORMAT_TYPEMASK;
	int sub = info->format & SF_FORMAT_SUBMASK;
	if (type != SF_FORMAT_WAV && type != SF_FORMAT_WAVEX)
		return -ENOTSUP;
	if (sub != SF_FORMAT_PCM_16 && sub != SF_FORMAT_ULAW &&
	    sub != SF_FORMAT_ALAW)
		return -ENOTSUP;
	if (info->channels != 1 || info->samplerate <= 0 ||
	    !sx_media_format_ok((uint32_t)info->samplerate, 1))
		return -ENOTSUP;
	return 0;
}

/* Opens @path into @fdp/@sfp and checks the format. */
static int player_open(const char *path, int *fdp, SNDFILE **sfp, SF_INFO *info)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(info, 0, sizeof(*info));
	SNDFILE *sf = sf_open_fd(fd, SFM_READ, info, SF_FALSE);
	if (!sf) {
		close(fd);
		return -EBADMSG;
	}
	int err = player_check(info);
	if (err) {
		sf_close(sf);
		close(fd);
		return err;
	}
	*fdp = fd;
	*sfp = sf;
	return 0;
}

int sx_media_wav_player_alloc(struct sx_media_port **pp, const char *path,
                              const struct sx_media_wav_player_prm *prm)
{
	static const struct sx_media_wav_player_prm dflt;
	struct sx_media_port *p = NULL;
	SNDFILE *sf = NULL;
	SF_INFO info;
	int fd = -1;

	if (!pp || !path)
		return -EINVAL;
	if (!prm)
		prm = &dflt;
	int err = player_open(path, &fd, &sf, &info);
	if (err)
		return err;
	uint32_t frame =
	    sx_media_frame_samples((uint32_t)info.samplerate, prm->ptime_ms);
	err = sx_media_port_alloc(&p, sizeof(struct wav_player), &player_vt,
	                          (uint32_t)info.samplerate, frame);
	if (err) {
		sf_close(sf);
		close(fd);
		return err;
	}
	struct wav_player *pl = (struct wav_player *)p;
	pl->sf = sf;
	pl->fd = fd;
	pl->loop = prm->loop;
	*pp = p;
	return 0;
}

bool sx_media_wav_player_eof(const struct sx_media_port *p)
{
	if (!sx_media__port_is(p, &player_vt))
		return false;
	return ((const struct wav_player *)p)->eof;
}

/* -- recorder -------------------------------------------------------- */

static int recorder_put(struct sx_media_port *p, const int16_t *pcm, size_t n)
{
	struct wav_recorder *r = (struct wav_recorder *)p;
	if (!r->sf)
		return -EBADF;
	if (r->written >= r->max)
		return -EFBIG;
	size_t k = (size_t)SX_MIN((uint64_t)n, r->max - r->written);
	sf_count_t w = sf_writef_short(r->sf, pcm, (sf_count_t)k);
	if (w > 0)
		r->written += (uint64_t)w;
	if (w != (sf_count_t)k) {
		SX_LOG_WARN_RL("write failed: %s", sf_strerror(r->sf));
		return -EIO;
	}
	return k < n ? -EFBIG : 0;
}

static int recorder_finish(struct wav_recorder *r)
{
	int err = 0;
	if (r->sf && sf_close(r->sf) != 0)
		err = -EIO;
	r->sf = NULL;
	if (r->fd >= 0 && close(r->fd) != 0)
		err = -EIO;
	r->fd = -1;
	return err;
}

static void recorder_destroy(struct sx_media_port *p)
{
	if (recorder_finish((struct wav_recorder *)p))
		SX_LOG_WARN("recording not finalised");
}

static const struct sx_media_port_vt recorder_vt = {
    .name = "wav-recorder",
    .put_frame = recorder_put,
    .destroy = recorder_destroy,
};

static int recorder_open(struct wav_recorder *r, const char *path)
{
	SF_INFO info = {
	    .samplerate = (int)r->port.clock_rate,
	    .channels = 1,
	    .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16,
	};
	r->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (r->fd < 0)
		return -errno;
	r->sf = sf_open_fd(r->fd, SFM_WRITE, &info, SF_FALSE);
	return r->sf ? 0 : -EIO;
}

int sx_media_wav_recorder_alloc(struct sx_media_port **pp, const char *path,
                                uint32_t clock_rate, uint32_t frame_samples,
                                const struct sx_media_wav_recorder_prm *prm)
{
	struct sx_media_port *p = NULL;
	uint32_t max_ms = prm ? prm->max_ms : 0;

	if (!path)
		return -EINVAL;
	if (!max_ms || max_ms > SX_MEDIA_REC_MAX_MS)
		max_ms = SX_MEDIA_REC_MAX_MS;
	int err = sx_media_port_alloc(&p, sizeof(struct wav_recorder),
	                              &recorder_vt, clock_rate, frame_samples);
	if (err)
		return err;
	struct wav_recorder *r = (struct wav_recorder *)p;
	r->fd = -1;
	r->max = (uint64_t)max_ms * clock_rate / 1000;
	err = recorder_open(r, path);
	if (err) {
		sx_media_port_unref(p);
		return err;
	}
	*pp = p;
	return 0;
}

int sx_media_wav_recorder_close(struct sx_media_port *p)
{
	if (!sx_media__port_is(p, &recorder_vt))
		return -EINVAL;
	return recorder_finish((struct wav_recorder *)p);
}

uint64_t sx_media_wav_recorder_samples(const struct sx_media_port *p)
{
	if (!sx_media__port_is(p, &recorder_vt))
		return 0;
	return ((const struct wav_recorder *)p)->written;
}
