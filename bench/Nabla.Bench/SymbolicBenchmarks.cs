using BenchmarkDotNet.Attributes;
using Nabla.Api;
using Nabla.Semantics;

namespace Nabla.Bench;

/// <summary>BenchmarkDotNet: the whole bind + differentiate + simplify + print pipeline, one expression per case.</summary>
[MemoryDiagnoser]
public class SymbolicBenchmarks
{
    private Dictionary<string, VarType> _decls = [];

    public static IEnumerable<Case> Problems => Cases.All;

    [ParamsSource(nameof(Problems))]
    public Case Problem { get; set; } = Cases.All[0];

    [GlobalSetup]
    public void Setup() => _decls = Problem.Declarations();

    [Benchmark]
    public DerivativeResult Gradient() => Pipeline.Run(Problem, _decls);
}
