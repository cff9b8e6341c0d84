using System.CommandLine;
using System.Runtime.Intrinsics;
using Nabla.Numerics;
using Nabla.LinearAlgebra;

namespace Nabla.Cli;

/// <summary>`nabla info`: which numeric backend runs, the library it loaded, the SIMD width and the threads.</summary>
public static class InfoCommand
{
    public static Command Create(TextWriter stdout)
    {
        var backend = new Option<string>("--backend")
        {
            Description = "managed, native or auto (default: the NABLA_BACKEND environment variable, else auto).",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the text." };
        var cmd = new Command("info", "Print the numeric backend, the native library it loaded, the SIMD width and the thread count.") { backend, json };
        cmd.SetAction(p =>
        {
            string name = p.GetValue(backend) ?? Environment.GetEnvironmentVariable("NABLA_BACKEND") ?? "auto";
            var blas = Blas.FromName(name);
            var native = Blas.Create(BlasBackend.Native);
            string simd = Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2" : "none";
            if (p.GetValue(json))
            {
                var o = new System.Text.Json.Nodes.JsonObject
                {
                    ["backend"] = blas.Name,
                    ["asked_for"] = name,
                    ["library"] = blas.Library,
                    ["openblas"] = native.Name == "openblas" ? native.Library : null,
                    ["simd"] = simd,
                    ["simd_doubles"] = Blas.SimdWidth,
                    ["fma"] = System.Runtime.Intrinsics.X86.Fma.IsSupported,
                    ["threads"] = blas.Threads,
                    ["processors"] = Environment.ProcessorCount,
                };
                stdout.WriteLine(o.ToJsonString());
                return 0;
            }
            stdout.WriteLine($"backend:   {blas.Name} (asked for: {name})");
            stdout.WriteLine($"library:   {blas.Library ?? "none (managed code)"}");
            stdout.WriteLine($"openblas:  {(native.Name == "openblas" ? native.Library : "not found (install libopenblas0-pthread, or set NABLA_OPENBLAS to its path)")}");
            string isa = Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2" : "none";
            stdout.WriteLine($"simd:      {Blas.SimdWidth} doubles per vector in the managed kernels ({isa}, FMA {(System.Runtime.Intrinsics.X86.Fma.IsSupported ? "yes" : "no")})");
            stdout.WriteLine($"threads:   {blas.Threads} (of {Environment.ProcessorCount} processors)");
            return 0;
        });
        return cmd;
    }
}
