using BenchmarkDotNet.Running;
using Nabla.Numerics.Bench;

// Usage: peak | side [cases...] | hess [quad logistic] | lu (where the managed inverse of n=500 spends its time) | bdn [BenchmarkDotNet args]
// `side` prints one line per measurement: case|implementation|median ms|GFLOP/s (or -).
string mode = args.Length > 0 ? args[0] : "side";
switch (mode)
{
    case "lu":
        Breakdown.Run();
        break;
    case "peak":
        Peak.Run();
        break;
    case "hess":
        Hessians.Run(args.Skip(1).ToArray());
        break;
    case "side":
        SideBySide.Run(args.Skip(1).ToArray());
        break;
    case "bdn":
        BenchmarkSwitcher.FromAssembly(typeof(SideBySide).Assembly).Run(args.Skip(1).ToArray());
        break;
    default:
        Console.Error.WriteLine("usage: peak | side [gemm logistic quadratic logdet] | hess [quad logistic] | lu | bdn [args]");
        return 2;
}
return 0;
