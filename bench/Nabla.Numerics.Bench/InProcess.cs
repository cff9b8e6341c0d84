using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Nabla.Expressions;
using Nabla.LinearAlgebra;

namespace Nabla.Numerics.Bench;

/// <summary>
/// BenchmarkDotNet figures inside .NET: the compiled plan against the reference interpreter, and the
/// managed backend against the native one, at sizes that keep a short run short.
/// Run: dotnet run -c Release --project bench/Nabla.Numerics.Bench -- bdn --filter '*'
/// </summary>
[Config(typeof(ShortInProcess))]
[MemoryDiagnoser]
public class PlanBenchmarks
{
    private Dictionary<string, Tensor> _quadratic = [], _logistic = [];
    private CompiledPlan _quadraticPlan = null!, _logisticPlan = null!, _logisticUnfused = null!;
    private Objective _quadraticGrad = null!, _logisticGrad = null!;
    private readonly double[] _g1000 = new double[1000], _g100 = new double[100];

    [GlobalSetup]
    public void Setup()
    {
        _quadratic = new() { ["A"] = new Tensor(ShapeKind.Matrix, 1000, 1000, SideBySide.Data(1000, 1000, 1)), ["x"] = Tensor.Vector(SideBySide.Data(1000, 1, 2)) };
        var y = SideBySide.Data(20000, 1, 4).Select(v => v >= 0 ? 1.0 : -1.0).ToArray();
        _logistic = new() { ["X"] = new Tensor(ShapeKind.Matrix, 20000, 100, SideBySide.Data(20000, 100, 3)), ["y"] = Tensor.Vector(y), ["w"] = Tensor.Vector(SideBySide.Data(100, 1, 5)) };
        _quadraticGrad = NablaMath.Parse("x'*A*x").Gradient("x");
        _quadraticPlan = _quadraticGrad.Compile();
        var loss = NablaMath.Parse("sum(softplus(-y.*(X*w)))");
        _logisticGrad = loss.Gradient("w");
        _logisticPlan = loss.CompileWithGradient("w");
        _logisticUnfused = new CompiledPlan([loss.Expression, _logisticGrad.Expression], Blas.Managed, fuse: false);
    }

    [Benchmark(Baseline = true)] public Tensor QuadraticGradInterpreted() => _quadraticGrad.Evaluate(_quadratic);
    [Benchmark] public void QuadraticGradCompiled() => _quadraticPlan.Evaluate(_quadratic, _g1000);
    [Benchmark] public Tensor LogisticGradInterpreted() => _logisticGrad.Evaluate(_logistic);
    [Benchmark] public double LogisticLossGradCompiledUnfused() => _logisticUnfused.ValueAndGradient(_logistic, _g100);
    [Benchmark] public double LogisticLossGradCompiledFused() => _logisticPlan.ValueAndGradient(_logistic, _g100);
}

[Config(typeof(ShortInProcess))]
public class GemmBenchmarks
{
    private double[] _a = [], _b = [], _c = [];
    private readonly IBlas _native = Blas.Create(BlasBackend.Native);

    [Params(500)] public int N;

    [GlobalSetup]
    public void Setup()
    {
        _a = SideBySide.Data(N, N, 1);
        _b = SideBySide.Data(N, N, 2);
        _c = new double[N * N];
    }

    [Benchmark(Baseline = true)] public void Managed() => Blas.Managed.Gemm(false, false, N, N, N, 1, _a, N, _b, N, 0, _c, N);
    [Benchmark] public void Native() => _native.Gemm(false, false, N, N, N, 1, _a, N, _b, N, 0, _c, N);
}

/// <summary>A short run (3 warm-ups, 3 iterations) in this process: the machine is shared, so runs stay brief.</summary>
public class ShortInProcess : ManualConfig
{
    public ShortInProcess() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
}
