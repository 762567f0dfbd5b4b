#!/usr/bin/python3
"""Python side of bench/diff2lip-side-by-side.sh (Redub's own code, not the reference's).

Builds the published Diff2Lip network from the reference implementation's own modules
(REF_DIR/guided-diffusion, imported through sys.path; nothing of it is copied here) with the
hyper-parameters of its scripts/inference.sh, random weights from a fixed seed, and times on
this machine, with the given thread count:
  (a) one denoiser forward at batch N (median of REPS after a warm-up),
  (b) the reference's own DDIM sampling loop (SpacedDiffusion "ddimS", clip_denoised, the shared
      seeded initial noise and cond image exactly as its generate.py builds them), N frames.
It writes WORK/weights.pt (the state dict, as torch.save writes it: Redub's importer reads it)
and WORK/inputs.safetensors (inputs, reference outputs, and the Python timings as metadata)
for `redub-cli bench diff2lip`.

Published flags not used on a CPU: use_fp16 (float16 convolutions do not run on the CPU in
torch 1.13; both sides run float32).
"""
import argparse
import json
import os
import statistics
import struct
import sys
import time
import types

REF_FILES = ("guided-diffusion/guided_diffusion/unet.py", "guided-diffusion/guided_diffusion/script_util.py",
             "guided-diffusion/guided_diffusion/gaussian_diffusion.py", "guided-diffusion/guided_diffusion/respace.py")


def import_reference(ref_dir):
    missing = [f for f in REF_FILES if not os.path.isfile(os.path.join(ref_dir, f))]
    if missing:
        print(f"diff2lip-side-by-side: the reference implementation is not at {ref_dir} "
              f"(missing {missing[0]}); clone https://github.com/soumik-kanad/diff2lip there", file=sys.stderr)
        sys.exit(2)
    # dist_util imports mpi4py and blobfile, logger torch.utils.tensorboard, at module level;
    # sampling in one CPU process needs none of them, so empty stand-ins keep the imports
    # working without installing them (only where the real module is missing).
    for name, attrs in (("mpi4py", {"MPI": types.SimpleNamespace(COMM_WORLD=None)}), ("blobfile", {}),
                        ("torch.utils.tensorboard", {"SummaryWriter": None})):
        try:
            __import__(name)
        except ImportError:
            m = types.ModuleType(name)
            m.__dict__.update(attrs)
            sys.modules[name] = m
            for k, v in attrs.items():
                if isinstance(v, types.SimpleNamespace):
                    sys.modules[name + "." + k] = v
    sys.path.insert(0, os.path.join(ref_dir, "guided-diffusion"))
    from guided_diffusion import script_util
    return script_util


def write_safetensors(path, tensors, metadata):
    header, blobs, off = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        a = t.detach().contiguous().float().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(a)]}
        blobs.append(a)
        off += len(a)
    h = json.dumps(header).encode()
    h += b" " * ((8 - (len(h) + 8) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def timed(fn, reps):
    fn()  # warm-up
    times, out = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, 1e3 * statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ref_dir")
    ap.add_argument("work")
    ap.add_argument("--frames", type=int, default=2)
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7, help="sampling seed (generate.py --sampling_seed)")
    ap.add_argument("--weight-seed", type=int, default=1)
    a = ap.parse_args()
    script_util = import_reference(a.ref_dir)
    import torch as th

    th.set_num_threads(a.threads)
    T = 1000
    if a.steps < 2 or T % a.steps:
        print(f"diff2lip-side-by-side: --steps {a.steps}: the reference's 'ddimN' spacing needs N dividing {T} "
              "(and at least 2: e.g. 2, 4, 5, 10, 25)", file=sys.stderr)
        sys.exit(2)

    # scripts/inference.sh: MODEL_FLAGS, DIFFUSION_FLAGS, SAMPLE_FLAGS, DATA_FLAGS, TFG_FLAGS.
    args = script_util.tfg_model_and_diffusion_defaults()
    args.update(attention_resolutions="32,16,8", class_cond=False, learn_sigma=True, num_channels=128,
                num_head_channels=64, num_res_blocks=2, resblock_updown=True, use_fp16=False,
                use_scale_shift_norm=False, predict_xstart=False, diffusion_steps=T, noise_schedule="linear",
                rescale_timesteps=False, timestep_respacing=f"ddim{a.steps}", image_size=128, nframes=5, nrefer=1,
                use_ref=True, use_audio=True, audio_as_style=True)
    th.manual_seed(a.weight_seed)
    model, diffusion = script_util.tfg_create_model_and_diffusion(**args)
    model.eval()
    # guided-diffusion zero-initialises the last conv of every res block, the attention
    # projections, the output conv and the audio-to-style conv: give them small random values
    # so the output depends on every weight (else eps would not depend on the input at all).
    with th.no_grad():
        for name, p in model.named_parameters():
            if "out_layers.3" in name or "proj_out" in name or name.startswith("out.2") or "to_style.3" in name:
                p.normal_(0, 0.02)
    expect_ts = [i * T // a.steps for i in range(a.steps)]
    if list(diffusion.timestep_map) != expect_ts:
        print(f"diff2lip-side-by-side: unexpected respacing {list(diffusion.timestep_map)}", file=sys.stderr)
        sys.exit(1)
    os.makedirs(a.work, exist_ok=True)
    wpath = os.path.join(a.work, "weights.pt")
    th.save(model.state_dict(), wpath)

    # Inputs as generate.py builds them: images in [-1,1], lower half masked
    # (face_hide_percentage 0.5), one 80x16 mel window per frame, shared seeded noise.
    N, S = a.frames, 128
    g = th.Generator().manual_seed(99)
    yy = th.linspace(-1, 1, S).view(1, 1, S, 1)
    xx = th.linspace(-1, 1, S).view(1, 1, 1, S)
    def image():  # smooth random images (faces are smooth) plus a little texture
        c = th.rand(N, 3, 1, 1, generator=g) * 2 - 1
        return (0.6 * c * (yy * th.rand(N, 3, 1, 1, generator=g) + xx * th.rand(N, 3, 1, 1, generator=g))
                + 0.1 * th.randn(N, 3, S, S, generator=g)).clamp(-1, 1)
    source, ref = image(), image()
    mask = th.zeros(N, 1, S, S)
    mask[:, :, int(S * (1 - 0.5)):, :] = 1
    mels = th.rand(N, 80, 16, generator=g) * 8 - 4
    x_t = th.randn(N, 3, S, S, generator=g)
    t_fwd = 500
    state = th.get_rng_state()
    th.manual_seed(a.seed)
    noise = th.randn((1, 3, S, S)).repeat(N, 1, 1, 1)
    th.set_rng_state(state)
    cond = source * (1.0 - mask) + mask * noise
    kwargs = {"cond_img": cond, "mask": mask, "ref_img": ref, "indiv_mels": mels}

    def forward():
        with th.no_grad():
            return model(x_t, th.full((N,), t_fwd, dtype=th.long), **kwargs)

    def sample():
        out = diffusion.ddim_sample_loop(model, (N, 3, S, S), clip_denoised=True, model_kwargs=kwargs, noise=noise)
        return out * mask + (1.0 - mask) * source  # generate.py's recon_batch

    eps, fwd_ms = timed(forward, a.reps)
    smp, smp_ms = timed(sample, a.reps)
    meta = {"python_forward_ms": f"{fwd_ms:.3f}", "python_sample_ms": f"{smp_ms:.3f}", "frames": str(N),
            "steps": str(a.steps), "seed": str(a.seed), "forward_timestep": str(t_fwd), "threads": str(a.threads),
            "reps": str(a.reps), "torch": th.__version__}
    write_safetensors(os.path.join(a.work, "inputs.safetensors"), {
        "source": source, "cond": cond, "mask": mask, "identity": ref, "audio": mels.reshape(N, 1, 80, 16),
        "x_t": x_t, "eps": eps, "sample": smp}, meta)
    n = sum(p.numel() for p in model.parameters())
    print(f"python: torch {th.__version__}, {n} parameters, {a.threads} threads; forward batch {N}: "
          f"{fwd_ms:.1f} ms, DDIM {a.steps} steps x {N} frames: {smp_ms:.1f} ms")


if __name__ == "__main__":
    main()
