using Nabla.Cli;
using Nabla.Numerics;
using Nabla.LinearAlgebra;

namespace Nabla.Tests.Numerics;

public class InfoCommandTests
{
    [Fact]
    public void Info_names_the_backend_the_library_the_simd_width_and_the_threads()
    {
        var stdout = new StringWriter();
        int code = Commands.Run(["info", "--backend", "managed"], stdout, new StringWriter());
        Assert.Equal(0, code);
        var text = stdout.ToString();
        Assert.Contains("backend:   managed", text);
        Assert.Contains("library:   none (managed code)", text);
        Assert.Contains($"simd:      {Blas.SimdWidth} doubles", text);
        Assert.Contains($"threads:   {Blas.Managed.Threads}", text);
        Assert.Contains("openblas:", text);
    }

    [Fact]
    public void A_missing_native_library_falls_back_to_managed_without_an_error()
    {
        var native = Blas.Create(BlasBackend.Native);
        Assert.True(native.Name is "openblas" or "managed");
        Assert.Same(Blas.Managed, Blas.FromName("managed"));
        Assert.Same(Blas.Managed, Blas.FromName(null));
        Assert.Null(NativeBlas.Load(["/nonexistent/libopenblas.so.0", "libnot-a-blas.so"]));
    }
}
