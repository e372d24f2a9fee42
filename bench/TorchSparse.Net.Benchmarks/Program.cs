using BenchmarkDotNet.Running;
using TorchSparse.Benchmarks;

// OpenBLAS reads OPENBLAS_CORETYPE when it loads, and this machine presets it to Haswell (half speed on Zen 5).
// Benchmarks run in child processes, which inherit this process's managed environment: removing the variable
// here, before any child starts, lets OpenBLAS detect the CPU in them.
Environment.SetEnvironmentVariable("OPENBLAS_CORETYPE", null);
BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(args, new BenchmarkConfig());
