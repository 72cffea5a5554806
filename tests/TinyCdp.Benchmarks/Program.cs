using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(TinyCdp.Benchmarks.Engine.DecideBenchmarks).Assembly).Run(args);
