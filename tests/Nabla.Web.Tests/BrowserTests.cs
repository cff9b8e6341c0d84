using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Nabla.Web.Tests;

/// <summary>The page in Debian's Chromium: type, read the rendered result, change a type, share a link.</summary>
public sealed class BrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static async Task TypeExpression(IPage page, string text)
    {
        var box = page.Locator("#expr");
        await box.FillAsync("");
        await box.PressSequentiallyAsync(text, new LocatorPressSequentiallyOptions { Delay = 30 });
    }

    private static async Task<string> RenderedTex(IPage page) =>
        await page.Locator("#result-math annotation[encoding='application/x-tex']").TextContentAsync() ?? "";

    private static void NoErrors(List<string> errors) =>
        Assert.True(errors.Count == 0, "the page logged: " + string.Join(" | ", errors));

    [Fact]
    public async Task Typing_the_quadratic_form_renders_its_gradient()
    {
        var (page, errors) = await browser.NewPageAsync();
        await page.GotoAsync("/");
        await TypeExpression(page, "x'*A*x");
        await Expect(page.Locator("#result-text")).ToHaveTextAsync("(A+A')*x");
        await Expect(page.Locator("#result-math .katex-display")).ToBeVisibleAsync();
        Assert.Equal(@"\nabla_{x} f = \left(A+A^{T}\right)x", await RenderedTex(page));
        // KaTeX drew it with its own fonts (served by Nabla), not as raw text.
        var html = await page.Locator("#result-math .katex-html").InnerTextAsync();
        Assert.Contains("(A+A", Regex.Replace(html, @"\s", ""));
        Assert.True(await page.EvaluateAsync<bool>("document.fonts.check('16px KaTeX_Main')"));
        await Expect(page.Locator("#result-latex")).ToHaveTextAsync(@"\left(A+A^{T}\right)x");
        await Expect(page.Locator("#type-x")).ToHaveValueAsync("vector");
        await Expect(page.Locator("#type-A")).ToHaveValueAsync("matrix");
        await BrowserFixture.ScreenshotAsync(page, "1-quadratic-form");
        NoErrors(errors);
    }

    [Fact]
    public async Task Typing_x_times_y_underlines_the_error_in_place()
    {
        var (page, errors) = await browser.NewPageAsync();
        await page.GotoAsync("/");
        await TypeExpression(page, "x*y");
        var bad = page.Locator("#expr-mirror .err");
        await Expect(bad).ToHaveTextAsync("x*y");
        await Expect(page.Locator("#expr-error")).ToContainTextAsync("cannot multiply x (vector n) by y (vector m)");
        await Expect(page.Locator("#expr-error .code")).ToHaveTextAsync("shape error");
        await Expect(page.Locator("#expr")).ToHaveAttributeAsync("aria-invalid", "true");
        // The underline sits under the typed characters: same left edge as the text, a real width.
        var span = (await bad.BoundingBoxAsync())!;
        var input = (await page.Locator("#expr").BoundingBoxAsync())!;
        Assert.InRange(span.X - input.X, 5, 20);
        Assert.True(span.Width > 20);
        await Expect(page.Locator("#result-forms")).ToBeHiddenAsync();
        await BrowserFixture.ScreenshotAsync(page, "2-shape-error");

        // Fixing the expression clears the error.
        await TypeExpression(page, "x'*y");
        await Expect(page.Locator("#expr-mirror .err")).ToHaveCountAsync(0);
        await Expect(page.Locator("#result-text")).ToHaveTextAsync("y");

        // So does declaring y a scalar from the table, which lists the names even while the types clash.
        await TypeExpression(page, "x*y");
        await Expect(page.Locator("#expr-mirror .err")).ToHaveTextAsync("x*y");
        await Expect(page.Locator("#type-y")).ToHaveValueAsync("vector");
        await page.Locator("#type-y").SelectOptionAsync("scalar");
        await Expect(page.Locator("#expr-mirror .err")).ToHaveCountAsync(0);
        await Expect(page.Locator("#result-forms")).ToBeVisibleAsync();
        await Expect(page.Locator("#objective-type")).ToHaveTextAsync("vector n");
        NoErrors(errors);
    }

    [Fact]
    public async Task Switching_A_to_symmetric_gives_2Ax_and_the_link_reproduces_it()
    {
        var (page, errors) = await browser.NewPageAsync();
        await page.GotoAsync("/");
        await TypeExpression(page, "x'*A*x");
        await Expect(page.Locator("#result-text")).ToHaveTextAsync("(A+A')*x");
        await page.Locator("#type-A").SelectOptionAsync("symmetric");
        await Expect(page.Locator("#result-text")).ToHaveTextAsync("2*A*x");
        Assert.Equal(@"\nabla_{x} f = 2A x", await RenderedTex(page));
        await Expect(page.Locator("#vars-body tr:has(th:text-is('A')) .origin")).ToHaveTextAsync("you");
        await BrowserFixture.ScreenshotAsync(page, "3-symmetric");
        var link = page.Url;
        Assert.Contains("vars=A%3Asymmetric", link);
        NoErrors(errors);

        // A person opening the link sees the same result.
        var (other, otherErrors) = await browser.NewPageAsync();
        await other.GotoAsync(link);
        await Expect(other.Locator("#expr")).ToHaveValueAsync("x'*A*x");
        await Expect(other.Locator("#type-A")).ToHaveValueAsync("symmetric");
        await Expect(other.Locator("#result-text")).ToHaveTextAsync("2*A*x");
        Assert.Equal(@"\nabla_{x} f = 2A x", await RenderedTex(other));
        await BrowserFixture.ScreenshotAsync(other, "4-shared-link");
        NoErrors(otherErrors);
    }

    [Fact]
    public async Task A_hand_written_link_opens_a_hessian()
    {
        var (page, errors) = await browser.NewPageAsync();
        await page.GotoAsync("/?expr=" + Uri.EscapeDataString("(y-X*w)'*(y-X*w)") + "&wrt=w&d=hessian");
        await Expect(page.Locator("#result-text")).ToHaveTextAsync("2*X'*X");
        await Expect(page.Locator("#kind")).ToHaveValueAsync("hessian");
        await Expect(page.Locator("#wrt")).ToHaveValueAsync("w");
        Assert.Equal(@"\nabla^2_{w} f = 2X^{T}X", await RenderedTex(page));
        NoErrors(errors);
    }

    [Fact]
    public async Task Check_numerically_shows_the_finite_difference_error()
    {
        var (page, errors) = await browser.NewPageAsync();
        await page.GotoAsync("/?expr=" + Uri.EscapeDataString("det(A)") + "&wrt=A");
        await Expect(page.Locator("#result-text")).ToHaveTextAsync("det(A)*inv(A)'");
        await page.Locator("#check").ClickAsync();
        await Expect(page.Locator("#check-result")).ToContainTextAsync("agrees with finite differences");
        await Expect(page.Locator("#check-result")).ToContainTextAsync(new Regex(@"largest relative error \d\.\d\de-\d+ over 3 random points"));
        await BrowserFixture.ScreenshotAsync(page, "5-check");
        NoErrors(errors);
    }

    [Fact]
    public async Task The_examples_work_from_the_keyboard()
    {
        var (page, errors) = await browser.NewPageAsync();
        await page.GotoAsync("/");
        await Expect(page.Locator("#result-text")).ToHaveTextAsync("(A+A')*x");
        var example = page.Locator("button.example", new() { HasText = "logistic loss" });
        await example.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#expr")).ToHaveValueAsync("log(1+exp(-y*<w,x>))");
        await Expect(page.Locator("#wrt")).ToHaveValueAsync("w");
        await Expect(page.Locator("#type-y")).ToHaveValueAsync("scalar");
        await Expect(page.Locator("#result-text")).ToContainTextAsync("sigmoid");
        // Enter in the expression box derives at once.
        await page.Locator("#expr").FocusAsync();
        await page.Keyboard.PressAsync("End");
        await page.Keyboard.TypeAsync("*2");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#result-status")).ToContainTextAsync("*2");
        NoErrors(errors);
    }

    [Fact]
    public async Task A_scalar_objective_shows_its_convexity_verdict_on_one_line()
    {
        var (page, errors) = await browser.NewPageAsync();
        await page.GotoAsync("/?expr=" + Uri.EscapeDataString("norm2(X*w-y)^2") + "&wrt=w");
        await Expect(page.Locator("#result-text")).ToContainTextAsync("X'");
        await Expect(page.Locator("#result-convexity")).ToContainTextAsync("f is convex in w: so z'*H*z ≥ 0 for every z");
        // a matrix variable declared spd: the certificate on its second differential
        await page.GotoAsync("/?expr=" + Uri.EscapeDataString("logdet(S)") + "&wrt=S&vars=S:spd");
        await Expect(page.Locator("#result-convexity")).ToContainTextAsync("f is strictly concave in S");
        // a vector objective has no verdict
        await page.GotoAsync("/?expr=" + Uri.EscapeDataString("A*x") + "&wrt=x");
        await Expect(page.Locator("#result-text")).ToHaveTextAsync("A");
        await Expect(page.Locator("#result-convexity")).ToBeHiddenAsync();
        NoErrors(errors);
    }

    [Theory]
    [InlineData(1100, 900)]
    [InlineData(390, 844)]
    public async Task Several_variables_are_differentiated_at_once(int width, int height)
    {
        var (page, errors) = await browser.NewPageAsync(width, height);
        await page.GotoAsync("/?expr=" + Uri.EscapeDataString("x'*A*x") + "&wrt=x");
        await Expect(page.Locator("#result-text")).ToHaveTextAsync("(A+A')*x");
        await Expect(page.Locator("#wrt-x")).ToBeCheckedAsync();
        await page.Locator("#wrt-A").CheckAsync();
        // the first variable's result stays where it was; A's follows under it
        await Expect(page.Locator("#result-more .more-item[data-wrt='A'] .more-text")).ToHaveTextAsync("x*x'");
        await Expect(page.Locator("#result-text")).ToHaveTextAsync("(A+A')*x");
        Assert.Contains("wrt=x%2CA", page.Url);
        await page.Locator("#check").ClickAsync();
        await Expect(page.Locator("#check-result")).ToContainTextAsync("✓ agrees with finite differences — ✓ x: largest relative error");
        await Expect(page.Locator("#check-result")).ToContainTextAsync("✓ A: largest relative error");
        // unchecking A leaves x alone; the last one cannot be unchecked
        await page.Locator("#wrt-A").UncheckAsync();
        await Expect(page.Locator("#result-more")).ToBeHiddenAsync();
        await page.Locator("#wrt-x").ClickAsync();
        await Expect(page.Locator("#wrt-x")).ToBeCheckedAsync();
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        await BrowserFixture.ScreenshotAsync(page, $"9-several-wrt-{width}");
        NoErrors(errors);
    }

    [Theory]
    [InlineData(1100, 900)]
    [InlineData(390, 844)]
    public async Task Sizes_can_be_set_and_travel_in_the_link(int width, int height)
    {
        var (page, errors) = await browser.NewPageAsync(width, height);
        await page.GotoAsync("/?expr=" + Uri.EscapeDataString("x'*A*x") + "&wrt=x");
        await Expect(page.Locator("#result-text")).ToHaveTextAsync("(A+A')*x");
        var size = page.Locator("#size-x");
        await size.FillAsync("3");
        await size.PressAsync("Enter");
        // x is 3×1 now, and A is inferred 3×3 from it
        await Expect(page.Locator("#vars-body tr:has(th:text-is('x')) td.shape")).ToHaveTextAsync("3×1");
        await Expect(page.Locator("#vars-body tr:has(th:text-is('A')) td.shape")).ToHaveTextAsync("3×3");
        await Expect(page.Locator("#result-status")).ToContainTextAsync("its shape is 3×1");
        Assert.Contains("vars=x%3Avector%283%29", page.Url);
        // a matrix takes two sizes; a wrong count is refused in place and changes nothing
        var other = page.Locator("#size-A");
        await other.FillAsync("1,2,3");
        await other.PressAsync("Enter");
        Assert.False(await other.EvaluateAsync<bool>("e => e.checkValidity()"));
        await Expect(page.Locator("#vars-body tr:has(th:text-is('A')) td.shape")).ToHaveTextAsync("3×3");
        // the link reproduces the sizes
        var (again, againErrors) = await browser.NewPageAsync(width, height);
        await again.GotoAsync(page.Url);
        await Expect(again.Locator("#size-x")).ToHaveValueAsync("3");
        await Expect(again.Locator("#vars-body tr:has(th:text-is('x')) td.shape")).ToHaveTextAsync("3×1");
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        await BrowserFixture.ScreenshotAsync(page, $"10-sizes-{width}");
        NoErrors(errors);
        NoErrors(againErrors);
    }

    [Theory]
    [InlineData(1100, 900)]
    [InlineData(390, 844)]
    public async Task An_index_form_fills_the_text_box_and_shows_its_kronecker_form(int width, int height)
    {
        var (page, errors) = await browser.NewPageAsync(width, height);
        await page.GotoAsync("/?expr=" + Uri.EscapeDataString("X*X") + "&wrt=X&d=jacobian");
        await Expect(page.Locator("#result-text")).ToHaveTextAsync("X[i,k]*d[j,l] + d[i,k]*X[l,j]");
        await Expect(page.Locator("#kron-row")).ToBeVisibleAsync();
        await Expect(page.Locator("#result-kron")).ToHaveTextAsync("kron(I, X) + kron(X', I)");
        // a result in matrix form has no Kronecker row
        await TypeExpression(page, "x'*x");
        await Expect(page.Locator("#result-text")).ToHaveTextAsync("2*x");
        await Expect(page.Locator("#kron-row")).ToBeHiddenAsync();
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        NoErrors(errors);
    }

    [Fact]
    public async Task On_a_desktop_the_result_is_in_view_without_scrolling()
    {
        var (page, errors) = await browser.NewPageAsync(1100, 900);
        await page.GotoAsync("/?expr=" + Uri.EscapeDataString("x'*A*x") + "&wrt=x");
        await Expect(page.Locator("#result-text")).ToHaveTextAsync("(A+A')*x");
        var math = await page.Locator("#result-math").BoundingBoxAsync();
        var text = await page.Locator("#result-text").BoundingBoxAsync();
        Assert.NotNull(math);
        Assert.True(math!.Y + math.Height <= 900 && text!.Y + text.Height <= 900,
            $"the result ends at y = {text!.Y + text.Height:F0} in a 900 px window");
        // and the examples are still there, under it
        var examples = await page.Locator("#examples").BoundingBoxAsync();
        Assert.True(examples!.Y > text.Y, "the examples come after the result");
        NoErrors(errors);
    }

    [Fact]
    public async Task The_page_fits_a_phone()
    {
        var (page, errors) = await browser.NewPageAsync(390, 844);
        await page.GotoAsync("/?expr=" + Uri.EscapeDataString("log(1+exp(-y*<w,x>))") + "&wrt=w&vars=y:scalar");
        await Expect(page.Locator("#result-text")).ToContainTextAsync("sigmoid");
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"),
            "the page scrolls sideways on a phone-sized screen");
        await BrowserFixture.ScreenshotAsync(page, "6-phone");
        NoErrors(errors);
    }

    [Fact]
    public async Task Steps_are_shown_folded_only_when_the_response_has_them()
    {
        var (page, errors) = await browser.NewPageAsync();
        var response = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/derive"));
        await page.GotoAsync("/?expr=" + Uri.EscapeDataString("x'*A*x") + "&wrt=x");
        var body = await (await response).JsonAsync();
        await Expect(page.Locator("#result-text")).ToHaveTextAsync("(A+A')*x");
        var result = body!.Value.GetProperty("results")[0];
        bool hasSteps = result.TryGetProperty("steps", out _) || body.Value.TryGetProperty("steps", out _);
        if (hasSteps)
        {
            await Expect(page.Locator("#steps")).ToBeVisibleAsync();
            await Expect(page.Locator("#steps")).Not.ToHaveAttributeAsync("open", "");
        }
        else
        {
            await Expect(page.Locator("#steps")).ToBeHiddenAsync();
        }
        NoErrors(errors);
    }

    [Fact]
    public async Task A_factored_result_shows_its_where_lines_and_the_expanded_form_on_request()
    {
        var (page, errors) = await browser.NewPageAsync();
        await page.GotoAsync("/?expr=" + Uri.EscapeDataString("sum(softplus(-y.*(X*w)))") + "&wrt=w&d=hessian");
        await Expect(page.Locator("#result-text")).ToHaveTextAsync("X'*diag(y.^2.*(1-t0).*t0)*X where t0 = sigmoid(-y.*(X*w))");
        await Expect(page.Locator("#result-where")).ToBeVisibleAsync();
        await Expect(page.Locator("#result-where .where-label")).ToHaveTextAsync("where");
        var line = await page.Locator("#result-where .where-line annotation[encoding='application/x-tex']").TextContentAsync();
        Assert.StartsWith("t_{0} = \\sigma", line);
        Assert.DoesNotContain("where", await RenderedTex(page));
        await BrowserFixture.ScreenshotAsync(page, "7-factored");
        await page.Locator("#toggle-form").ClickAsync();
        await Expect(page.Locator("#result-where")).ToBeHiddenAsync();
        await Expect(page.Locator("#result-text")).Not.ToContainTextAsync("where");
        await Expect(page.Locator("#toggle-form")).ToHaveTextAsync("Show factored");
        NoErrors(errors);
    }

    [Fact]
    public async Task The_code_panel_gives_a_module_for_each_target()
    {
        var (page, errors) = await browser.NewPageAsync();
        await page.GotoAsync("/?expr=" + Uri.EscapeDataString("x'*A*x") + "&wrt=x");
        await Expect(page.Locator("#result-text")).ToHaveTextAsync("(A+A')*x");
        await Expect(page.Locator("#code-panel")).ToBeVisibleAsync();
        await Expect(page.Locator("#code-panel")).Not.ToHaveAttributeAsync("open", "");
        await page.Locator("#code-panel summary").ClickAsync();
        await Expect(page.Locator("#code-text")).ToContainTextAsync("def f(x, A):");
        await Expect(page.Locator("#code-text")).ToContainTextAsync("grad_x = p0 + A.T @ x");
        await page.Locator("#code-target").SelectOptionAsync("csharp");
        await Expect(page.Locator("#code-text")).ToContainTextAsync("public static (double value, Tensor grad_x) f(Tensor x, Tensor A, IBlas? blas = null)");
        await page.Locator("#code-target").SelectOptionAsync("matlab");
        await Expect(page.Locator("#code-text")).ToContainTextAsync("function [value, grad_x] = f(x, A, nabla_mode)");
        await Expect(page.Locator("#copy-code")).ToBeVisibleAsync();
        // A new expression while the panel is open brings its code.
        await TypeExpression(page, "sum(exp(x))");
        await Expect(page.Locator("#code-text")).ToContainTextAsync("t0 = exp(x);");
        await BrowserFixture.ScreenshotAsync(page, "8-code");
        NoErrors(errors);
    }
}
