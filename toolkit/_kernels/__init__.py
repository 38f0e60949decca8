"""numba kernels: NumPy arrays and scalars in and out; prior validation of input is assumed."""
