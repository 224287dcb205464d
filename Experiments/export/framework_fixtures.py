"""Write the framework fixtures the tests check `--full-gradient` against (run once; the output is committed).

For each N in SIZES, precision float32 and float64 and seeds 0..SEEDS-1, a small MLP (tanh hidden layer,
squared error) at a random θ gives:
  G-<maker>-<precision>-n<N>.npy  (SEEDS*N, P): per-example gradients, seed s in rows s*N ..< (s+1)*N
  g-<maker>-<precision>-n<N>.npy  (SEEDS, P):   the gradient of the mean loss, one row per seed
maker 'jax': rows by jax.vmap(jax.grad(loss)), g by jax.grad of the mean, as a JAX user computes them.
maker 'numpy': hand-written backpropagation in NumPy, rows one example at a time, g by one batched pass
with the cotangent 1/N (as autodiff carries it back), so the rows and g round differently.

    python framework_fixtures.py OUTDIR      # needs numpy and jax (pip install numpy jax)
"""
import sys

import numpy as np

SIZES = [2, 3, 4, 5, 6, 7, 8, 16, 32, 64, 256]
SEEDS = 10
D, H = 4, 6  # inputs, hidden units: P = D*H + H + H + 1 = 37


def problem(n, seed, dtype):
    rng = np.random.default_rng([seed, n])
    W1 = (rng.standard_normal((D, H)) / D**0.5).astype(dtype)
    b1 = np.full(H, 0.1, dtype)
    W2 = (rng.standard_normal((H, 1)) / 2).astype(dtype)
    b2 = np.zeros(1, dtype)
    x = rng.standard_normal((n, D)).astype(dtype)
    y = rng.standard_normal((n, 1)).astype(dtype)
    return (W1, b1, W2, b2), x, y


def numpy_backward(params, x, y, cotangent):
    """Gradients of cotangent * sum over the rows of (out - y)^2 / 2, in the dtype of the inputs."""
    W1, b1, W2, b2 = params
    h = np.tanh(x @ W1 + b1)
    out = h @ W2 + b2
    dout = (out - y) * cotangent
    dh = (dout @ W2.T) * (1 - h * h)
    return np.concatenate([(x.T @ dh).ravel(), dh.sum(0), (h.T @ dout).ravel(), dout.sum(0)])


def numpy_pair(n, seed, dtype):
    params, x, y = problem(n, seed, dtype)
    one = np.array(1, dtype)
    G = np.stack([numpy_backward(params, x[i : i + 1], y[i : i + 1], one) for i in range(n)])
    g = numpy_backward(params, x, y, np.array(1, dtype) / np.array(n, dtype))
    return G, g


def jax_pair(n, seed, dtype):
    import jax
    import jax.numpy as jnp

    (W1, b1, W2, b2), x, y = problem(n, seed, dtype)
    params = {"W1": jnp.asarray(W1), "b1": jnp.asarray(b1), "W2": jnp.asarray(W2), "b2": jnp.asarray(b2)}

    def loss(p, xi, yi):
        out = jnp.tanh(xi @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
        return jnp.sum((out - yi) ** 2) / 2

    rows = jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))(params, jnp.asarray(x), jnp.asarray(y))
    full = jax.grad(lambda p: jnp.mean(jax.vmap(loss, in_axes=(None, 0, 0))(p, jnp.asarray(x), jnp.asarray(y))))(params)
    order = ["W1", "b1", "W2", "b2"]
    G = np.concatenate([np.asarray(rows[k]).reshape(n, -1) for k in order], axis=1)
    g = np.concatenate([np.asarray(full[k]).reshape(-1) for k in order])
    return G, g


if __name__ == "__main__":
    import jax

    jax.config.update("jax_enable_x64", True)
    out = sys.argv[1]
    for maker, pair in [("jax", jax_pair), ("numpy", numpy_pair)]:
        for name, dtype in [("float32", np.float32), ("float64", np.float64)]:
            for n in SIZES:
                pairs = [pair(n, s, dtype) for s in range(SEEDS)]
                assert all(G.dtype == dtype and g.dtype == dtype for G, g in pairs)
                np.save(f"{out}/G-{maker}-{name}-n{n}.npy", np.concatenate([G for G, _ in pairs]))
                np.save(f"{out}/g-{maker}-{name}-n{n}.npy", np.stack([g for _, g in pairs]))
    print(f"wrote {4 * len(SIZES)} pairs to {out}")
