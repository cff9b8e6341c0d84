using Nabla.Ops;

namespace Nabla.Tests.Ops;

/// <summary>
/// The special functions against CPython's math module (erf, erfc, log1p, expm1: the C library's, correctly rounded or
/// within an ulp or two), the values generated once with /usr/bin/python3 and written here: to 1e-14 relative where the
/// value is a normal double, exactly where the value is 0, ±1 or 2; around 0, where log(1+x) and exp(x)-1 cancel, too.
/// </summary>
public sealed class SpecialFunctionTests
{
    public static TheoryData<double, double, double> ErfTable() => new()
    {
        { -30.0, -1.0, 2.0 },
        { -6.0, -1.0, 2.0 },
        { -5.9, -0.9999999999999999, 2.0 },
        { -3.5, -0.9999992569016276, 1.9999992569016276 },
        { -3.0, -0.9999779095030014, 1.9999779095030015 },
        { -2.999, -0.9999777698314002, 1.9999777698314 },
        { -1.5, -0.9661051464753108, 1.9661051464753108 },
        { -0.5, -0.5204998778130465, 1.5204998778130465 },
        { -0.001, -0.0011283787909692365, 1.0011283787909693 },
        { -1e-12, -1.1283791670955126e-12, 1.0000000000011284 },
        { 0.0, 0.0, 1.0 },
        { 1e-300, 1.1283791670955126e-300, 1.0 },
        { 1e-12, 1.1283791670955126e-12, 0.9999999999988716 },
        { 1e-08, 1.1283791670955126e-08, 0.9999999887162083 },
        { 1e-05, 1.1283791670579e-05, 0.9999887162083294 },
        { 0.3, 0.3286267594591274, 0.6713732405408726 },
        { 1.0, 0.8427007929497149, 0.15729920705028513 },
        { 2.5, 0.999593047982555, 0.0004069520174449589 },
        { 2.9999, 0.9999778955735178, 2.210442648216091e-05 },
        { 3.0, 0.9999779095030014, 2.2090496998585438e-05 },
        { 3.0001, 0.9999779234241298, 2.2076575870193304e-05 },
        { 4.0, 0.9999999845827421, 1.541725790028002e-08 },
        { 5.5, 0.9999999999999927, 7.357847917974398e-15 },
        { 6.0, 1.0, 2.1519736712498916e-17 },
        { 10.0, 1.0, 2.088487583762545e-45 },
        { 27.0, 1.0, 5.23705e-319 },
    };

    public static TheoryData<double, double> Log1pTable() => new()
    {
        { -0.9999, -9.210340371976294 },
        { -0.5, -0.6931471805599453 },
        { -1e-10, -1.00000000005e-10 },
        { 1e-300, 1e-300 },
        { 1e-16, 1e-16 },
        { 1e-10, 9.999999999500001e-11 },
        { 3e-06, 2.999995500009e-06 },
        { 0.001, 0.0009995003330835331 },
        { 0.1, 0.09531017980432487 },
        { 1, 0.6931471805599453 },
        { 10, 2.3978952727983707 },
        { 10000000000.0, 23.025850930040455 },
        { 1e+300, 690.7755278982137 },
    };

    public static TheoryData<double, double> Expm1Table() => new()
    {
        { -800.0, -1.0 },
        { -40.0, -1.0 },
        { -1.0, -0.6321205588285577 },
        { -0.001, -0.0009995001666250085 },
        { -1e-06, -9.999995000001667e-07 },
        { -1e-10, -9.999999999500001e-11 },
        { 1e-300, 1e-300 },
        { 1e-16, 1e-16 },
        { 1e-10, 1.00000000005e-10 },
        { 9.99e-06, 9.990049900216167e-06 },
        { 1.01e-05, 1.0100051005171717e-05 },
        { 0.001, 0.0010005001667083417 },
        { 0.5, 0.6487212707001282 },
        { 1.0, 1.718281828459045 },
        { 30.0, 10686474581523.463 },
        { 700.0, 1.0142320547350045e+304 },
    };

    public static TheoryData<double, double> GeluTable() => new()
    {
        { -40.0, -0.0 },
        { -8.0, -4.9767684594174555e-15 },
        { -3.0, -0.004049694094890287 },
        { -1.0, -0.15865525393145707 },
        { -0.1, -0.0460172162722971 },
        { 0.0, 0.0 },
        { 1e-08, 5.000000039894228e-09 },
        { 0.5, 0.34573123063700656 },
        { 1.0, 0.8413447460685429 },
        { 3.0, 2.99595030590511 },
        { 8.0, 7.999999999999995 },
        { 40.0, 40.0 },
    };

    private static void Near(double expected, double actual, string what)
    {
        if (Math.Abs(expected) < 1e-300) { Assert.True(Math.Abs(actual - expected) < 1e-305, $"{what}: {actual:R}, expected {expected:R}"); return; }
        double rel = Math.Abs(actual - expected) / Math.Abs(expected);
        Assert.True(rel <= 1e-14, $"{what}: {actual:R}, expected {expected:R} (relative error {rel:E2})");
    }

    [Theory, MemberData(nameof(ErfTable))]
    public void Erf_and_erfc_agree_with_the_C_library(double x, double erf, double erfc)
    {
        Near(erf, Special.Erf(x), $"erf({x:R})");
        Near(erfc, Special.Erfc(x), $"erfc({x:R})");
        Assert.Equal(-Special.Erf(x), Special.Erf(-x)); // odd, exactly
    }

    [Theory, MemberData(nameof(Log1pTable))]
    public void Log1p_agrees_with_the_C_library(double x, double expected) => Near(expected, Special.Log1p(x), $"log1p({x:R})");

    [Theory, MemberData(nameof(Expm1Table))]
    public void Expm1_agrees_with_the_C_library(double x, double expected) => Near(expected, Special.Expm1(x), $"expm1({x:R})");

    [Theory, MemberData(nameof(GeluTable))]
    public void Gelu_is_x_times_the_normal_distribution_function(double x, double expected) => Near(expected, Special.Gelu(x), $"gelu({x:R})");

    [Fact]
    public void The_edges_are_the_limits()
    {
        Assert.Equal(1.0, Special.Erf(double.PositiveInfinity));
        Assert.Equal(-1.0, Special.Erf(double.NegativeInfinity));
        Assert.Equal(0.0, Special.Erfc(double.PositiveInfinity));
        Assert.Equal(2.0, Special.Erfc(double.NegativeInfinity));
        Assert.True(double.IsNaN(Special.Erf(double.NaN)));
        Assert.Equal(double.NegativeInfinity, Special.Log1p(-1));
        Assert.True(double.IsNaN(Special.Log1p(-2)));
        Assert.Equal(double.PositiveInfinity, Special.Log1p(double.PositiveInfinity));
        Assert.Equal(-1.0, Special.Expm1(double.NegativeInfinity));
        Assert.Equal(double.PositiveInfinity, Special.Expm1(double.PositiveInfinity));
        Assert.Equal(double.PositiveInfinity, Special.Expm1(710));
    }
}
