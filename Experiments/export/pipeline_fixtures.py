"""Write the training-pipeline fixtures the tests check `gradverify audit` against (run once; output committed).

A small next-token model (embedding, tanh layer, softmax over a 12-symbol vocabulary) on 48 token sequences
of unequal length (3 to 40 symbols), trained by a pipeline with 4 gradient-accumulation steps (micro-batches
of 12) on 2 data-parallel ranks (6 examples of each micro-batch on each). In JAX, float32:

  G.npy            (48, P) per-example gradients of each sequence's SUMMED token loss (vmap(grad))
  examples.csv     tokens (predicted positions), micro_batch, rank, padding (to the longest sequence)
  g-token-mean.npy             the intended gradient: grad of (sum of all token losses) / T
  g-micro-batch-means.npy      accumulation that averages each step's token mean: mean_k grad(L_k / T_k)
  g-rank-means.npy             data parallel averaging each rank's token mean: mean_r grad(L_r / T_r)
  g-bf16-ring.npy              each rank's grad(L_r / T) cast to bfloat16 and summed by a ring all-reduce
                               in bfloat16 (chunk c of the coordinates starts at rank c), stored as float32
  numpy-figures.json           tr Sigma_N, |g|^2 and B_simple of G's rows, by NumPy in float64
  lsq-G.npy, lsq-w.npy, lsq-g.npy
                               a NumPy-made case with P >= N (20 x 60, float64): g = G^T w exactly as NumPy
                               computes it, for the least-squares recovery of w

    python pipeline_fixtures.py OUTDIR      # needs numpy and jax (pip install numpy jax)
"""
import json
import sys

import numpy as np

N, MICRO_BATCHES, RANKS = 48, 4, 2
VOCAB, EMBED, HIDDEN, LONGEST = 12, 6, 10, 40


def layout(rng):
    lengths = rng.integers(3, LONGEST + 1, N)
    micro_batch = np.arange(N) // (N // MICRO_BATCHES)
    rank = (np.arange(N) // (N // (MICRO_BATCHES * RANKS))) % RANKS
    return lengths, micro_batch, rank


def main(out):
    import jax
    import jax.numpy as jnp

    rng = np.random.default_rng(2026)
    lengths, micro_batch, rank = layout(rng)
    sequences = rng.integers(0, VOCAB, (N, LONGEST)).astype(np.int32)
    # position t predicts symbol t + 1; positions past the sequence are padding (masked out of the loss)
    mask = (np.arange(LONGEST - 1)[None, :] < (lengths - 1)[:, None]).astype(np.float32)
    tokens = mask.sum(1)
    params = {
        "embed": jnp.asarray(rng.standard_normal((VOCAB, EMBED)) * 0.5, jnp.float32),
        "w1": jnp.asarray(rng.standard_normal((EMBED, HIDDEN)) / EMBED**0.5, jnp.float32),
        "b1": jnp.zeros(HIDDEN, jnp.float32),
        "w2": jnp.asarray(rng.standard_normal((HIDDEN, VOCAB)) / HIDDEN**0.5, jnp.float32),
        "b2": jnp.zeros(VOCAB, jnp.float32),
    }
    leaves, tree = jax.tree_util.tree_flatten(params)

    def summed_loss(p, seq, m):
        h = jnp.tanh(p["embed"][seq[:-1]] @ p["w1"] + p["b1"])
        logits = h @ p["w2"] + p["b2"]
        logp = jax.nn.log_softmax(logits)
        return -(jnp.take_along_axis(logp, seq[1:, None], 1)[:, 0] * m).sum()

    def flat(g):
        return np.concatenate([np.asarray(x).reshape(-1) for x in jax.tree_util.tree_leaves(g)])

    seq, msk = jnp.asarray(sequences), jnp.asarray(mask)
    per = jax.vmap(jax.grad(summed_loss), (None, 0, 0))(params, seq, msk)
    G = np.concatenate([np.asarray(x).reshape(N, -1) for x in jax.tree_util.tree_leaves(per)], axis=1)

    def grad_of(indices, divisor):
        idx = np.asarray(indices)
        f = lambda p: jax.vmap(summed_loss, (None, 0, 0))(p, seq[idx], msk[idx]).sum() / divisor
        return flat(jax.grad(f)(params))

    T = np.float32(tokens.sum())
    token_mean = grad_of(np.arange(N), T)
    acc = np.zeros_like(token_mean)
    for k in range(MICRO_BATCHES):
        members = np.where(micro_batch == k)[0]
        acc = acc + grad_of(members, np.float32(tokens[members].sum()))
    micro = acc / np.float32(MICRO_BATCHES)
    rank_grads = [grad_of(np.where(rank == r)[0], np.float32(tokens[rank == r].sum())) for r in range(RANKS)]
    rank_means = (rank_grads[0] + rank_grads[1]) / np.float32(RANKS)
    # bfloat16 ring all-reduce of each rank's share of the token mean
    shares = [jnp.asarray(grad_of(np.where(rank == r)[0], T)).astype(jnp.bfloat16) for r in range(RANKS)]
    P = G.shape[1]
    chunk = -(-P // RANKS)
    ring = np.zeros(P, np.float32)
    for c in range(RANKS):
        lo, hi = c * chunk, min(P, (c + 1) * chunk)
        s = shares[c % RANKS][lo:hi]
        for step in range(1, RANKS):
            s = (shares[(c + step) % RANKS][lo:hi] + s).astype(jnp.bfloat16)
        ring[lo:hi] = np.asarray(s.astype(jnp.float32))

    np.save(f"{out}/G.npy", G.astype(np.float32))
    np.save(f"{out}/g-token-mean.npy", token_mean.astype(np.float32))
    np.save(f"{out}/g-micro-batch-means.npy", micro.astype(np.float32))
    np.save(f"{out}/g-rank-means.npy", rank_means.astype(np.float32))
    np.save(f"{out}/g-bf16-ring.npy", ring)
    with open(f"{out}/examples.csv", "w") as f:
        f.write("tokens,micro_batch,rank,padding\n")
        for i in range(N):
            f.write(f"{int(tokens[i])},{micro_batch[i]},{rank[i]},{LONGEST - 1 - int(tokens[i])}\n")
    D = G.astype(np.float64)
    mean = D.mean(0)
    trace = ((D - mean) ** 2).sum(1).mean()
    norm = (mean**2).sum()
    with open(f"{out}/numpy-figures.json", "w") as f:
        json.dump({"trace_sigma": trace, "mean_norm_squared": norm, "b_simple": trace / norm}, f, indent=1)
        f.write("\n")

    lsq = np.random.default_rng(60)
    A = lsq.standard_normal((20, 60))
    w = lsq.uniform(0.01, 0.1, 20)
    np.save(f"{out}/lsq-G.npy", A)
    np.save(f"{out}/lsq-w.npy", w)
    np.save(f"{out}/lsq-g.npy", A.T @ w)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
