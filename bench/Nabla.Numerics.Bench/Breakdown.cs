using System.Diagnostics;
using Nabla.LinearAlgebra;
namespace Nabla.Numerics.Bench;
/// <summary>Where the managed inverse (the logdet gradient's work) spends its time: getrf, getri, and a GEMM of the same size.</summary>
public static class Breakdown
{
    public static void Run()
    {
        int n = 500;
        var xd = SideBySide.Data(n, n, 8);
        for (int i = 0; i < n; i++) xd[i * n + i] += n;
        var blas = Blas.Managed;
        var lu = new double[n * n]; var piv = new int[n];
        double tf = 0, ti = 0, tg = 0;
        var b = new double[n * n]; var c = new double[n * n];
        for (int r = 0; r < 300; r++)
        {
            xd.CopyTo(lu, 0);
            var sw = Stopwatch.StartNew();
            blas.Getrf(n, lu, piv);
            double t1 = sw.Elapsed.TotalMilliseconds;
            blas.Getri(n, lu, piv);
            double t2 = sw.Elapsed.TotalMilliseconds;
            blas.Gemm(false, false, n, n, n, 1, xd, n, xd, n, 0, c, n);
            double t3 = sw.Elapsed.TotalMilliseconds;
            if (r >= 100) { tf += t1; ti += t2 - t1; tg += t3 - t2; }
        }
        Console.WriteLine($"getrf {tf / 200:F2} ms, getri {ti / 200:F2} ms, gemm500 {tg / 200:F2} ms ({2.0 * n * n * n / (tg / 200) / 1e6:F0} GFLOP/s)");
    }
}
