"""Write per-example gradients (and the full gradient) for `gradverify sweep --gradients`.

Optional, for users of PyTorch or JAX; gradverify itself never runs Python. Each example's gradient is
flattened in one fixed order of the parameters (here: the order of model.named_parameters(), or of
jax.tree_util.tree_leaves), and the rows are stacked into an N x P matrix saved with numpy.save:

    python export_gradients.py torch     # writes G.npy (N x P) and g.npy (P)
    python export_gradients.py jax
    gradverify sweep --gradients G.npy --sampler with,without --full-gradient g.npy

The model below is a small MLP on random data; replace it and `loss` with your own. Evaluate with the model
in eval mode (batch norm and dropout fixed): a per-example gradient is the gradient of one example's loss.
"""
import sys

import numpy as np


def torch_export(n=256, d=8, seed=0):
    import torch
    from torch.func import functional_call, grad, vmap

    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(d, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)).eval()
    x, y = torch.randn(n, d), torch.randn(n, 1)
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss(p, xi, yi):
        out = functional_call(model, p, (xi.unsqueeze(0),))
        return ((out - yi.unsqueeze(0)) ** 2).mean() / 2

    per_example = vmap(grad(loss), in_dims=(None, 0, 0))(params, x, y)
    G = torch.cat([per_example[k].reshape(n, -1) for k in params], dim=1)  # the named_parameters() order
    full = grad(lambda p: torch.stack([loss(p, x[i], y[i]) for i in range(n)]).mean())(params)
    g = torch.cat([full[k].reshape(-1) for k in params])
    return G.numpy(), g.numpy()


def jax_export(n=256, d=8, seed=0):
    import jax
    import jax.numpy as jnp

    k1, k2, k3, k4 = jax.random.split(jax.random.PRNGKey(seed), 4)
    params = {"W1": jax.random.normal(k1, (d, 16)) / d**0.5, "b1": jnp.zeros(16), "W2": jax.random.normal(k2, (16, 1)) / 4, "b2": jnp.zeros(1)}
    x, y = jax.random.normal(k3, (n, d)), jax.random.normal(k4, (n, 1))

    def loss(p, xi, yi):
        out = jnp.tanh(xi @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
        return jnp.sum((out - yi) ** 2) / 2

    per_example = jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))(params, x, y)
    leaves = jax.tree_util.tree_leaves(per_example)  # one fixed order of the parameters
    G = jnp.concatenate([leaf.reshape(n, -1) for leaf in leaves], axis=1)
    full = jax.grad(lambda p: jnp.mean(jax.vmap(loss, in_axes=(None, 0, 0))(p, x, y)))(params)
    g = jnp.concatenate([leaf.reshape(-1) for leaf in jax.tree_util.tree_leaves(full)])
    return np.asarray(G), np.asarray(g)


if __name__ == "__main__":
    exporters = {"torch": torch_export, "jax": jax_export}
    if len(sys.argv) != 2 or sys.argv[1] not in exporters:
        sys.exit("usage: python export_gradients.py torch|jax")
    G, g = exporters[sys.argv[1]]()
    np.save("G.npy", G)
    np.save("g.npy", g)
    print(f"G.npy: {G.shape} {G.dtype}; g.npy: {g.shape}")
