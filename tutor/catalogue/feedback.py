"""What the feedback layer prints (named mistakes): key -> (English, Chinese)."""

MESSAGES: dict[str, tuple[str, str]] = {
    'mistake:constant-derivative-kept': (
        'Constant rule: {expr} does not depend on {x}, so its derivative is 0, but your answer keeps it.',
        '常数法则：{expr} 不依赖于 {x}，所以它的导数是 0，但你的答案保留了它。'),
    'mistake:power-rule-exponent-not-lowered': (
        "Power rule: d/dx u^n = n·u^(n-1)·u'; in {here} the exponent was not lowered by one.",
        "幂法则：d/dx u^n = n·u^(n-1)·u'；在 {here} 中指数没有减一。"),
    'mistake:square-factor-2-missing': (
        "Missing factor 2: d/dx u² = 2u·u'; in {here} the 2 from the square is missing.",
        "漏了因子 2：d/dx u² = 2u·u'；在 {here} 中平方带来的 2 不见了。"),
    'mistake:power-rule-coefficient-dropped': (
        "Power rule: d/dx u^n = n·u^(n-1)·u'; in {here} the factor n in front is missing.",
        "幂法则：d/dx u^n = n·u^(n-1)·u'；在 {here} 中前面的因子 n 不见了。"),
    'mistake:constant-factor-dropped': (
        "Constant multiple rule: d/dx (c·u) = c·u'; in {here} the constant factor {detail} was dropped.",
        "常数倍法则：d/dx (c·u) = c·u'；在 {here} 中常数因子 {detail} 被丢掉了。"),
    'mistake:product-rule-derivatives-multiplied': (
        "Product rule: d/dx (f·g) = f'·g + f·g', not f'·g'; in {here} the derivatives of the factors were multiplied.",
        "乘积法则：d/dx (f·g) = f'·g + f·g'，而不是 f'·g'；在 {here} 中把两个因子的导数相乘了。"),
    'mistake:product-rule-term-missing': (
        "Product rule: d/dx (f·g) = f'·g + f·g'; in {here} the term with the derivative of {detail} is missing.",
        "乘积法则：d/dx (f·g) = f'·g + f·g'；在 {here} 中缺少含 {detail} 的导数的那一项。"),
    'mistake:quotient-rule-numerator-swapped': (
        "Quotient rule: d/dx (f/g) = (f'·g - f·g')/g²; in {here} the numerator has the opposite sign (f·g' - f'·g).",
        "商法则：d/dx (f/g) = (f'·g - f·g')/g²；在 {here} 中分子的符号反了（f·g' - f'·g）。"),
    'mistake:quotient-rule-plus-sign': (
        "Quotient rule: d/dx (f/g) = (f'·g - f·g')/g², with a minus; in {here} the numerator has a plus (f'·g + f·g').",
        "商法则：d/dx (f/g) = (f'·g - f·g')/g²，中间是减号；在 {here} 中分子用了加号（f'·g + f·g'）。"),
    'mistake:quotient-rule-no-square': (
        "Quotient rule: d/dx (f/g) = (f'·g - f·g')/g²; in {here} {detail}.",
        "商法则：d/dx (f/g) = (f'·g - f·g')/g²；在 {here} 中{detail}。"),
    'mistake:quotient-rule-derivatives-divided': (
        "Quotient rule: d/dx (f/g) = (f'·g - f·g')/g², not f'/g'; in {here} the derivatives were divided.",
        "商法则：d/dx (f/g) = (f'·g - f·g')/g²，而不是 f'/g'；在 {here} 中把两个导数相除了。"),
    'mistake:exponential-as-power': (
        "Exponential rule: d/dx e^u = e^u·u' (and d/dx a^u = a^u·ln(a)·u'); in {here} the power rule u·e^(u-1) was used, but the variable is in the exponent.",
        "指数法则：d/dx e^u = e^u·u'（以及 d/dx a^u = a^u·ln(a)·u'）；在 {here} 中用了幂法则 u·e^(u-1)，但变量在指数上。"),
    'mistake:exponential-log-factor-missing': (
        "Exponential rule: d/dx a^u = a^u·ln(a)·u'; in {here} the factor ln(a) is missing.",
        "指数法则：d/dx a^u = a^u·ln(a)·u'；在 {here} 中缺少因子 ln(a)。"),
    'mistake:trig-sign-error': (
        "Trig derivatives: d/dx sin u = cos u·u' and d/dx cos u = -sin u·u'; the sign is wrong in {here}.",
        "三角函数的导数：d/dx sin u = cos u·u'，d/dx cos u = -sin u·u'；{here} 中的符号错了。"),
    'mistake:sigmoid-derivative-plus': (
        "Sigmoid rule: σ'(u) = σ(u)·(1 - σ(u)), not σ(u)·(1 + σ(u)); see {here}.",
        "sigmoid 法则：σ'(u) = σ(u)·(1 - σ(u))，而不是 σ(u)·(1 + σ(u))；见 {here}。"),
    'mistake:chain-rule-inner-dropped': (
        'Chain rule: the derivative of the inner function {detail} is missing in {here}.',
        '链式法则：{here} 中缺少内层函数 {detail} 的导数。'),
    'mistake:chain-rule-inner-dropped/log': (
        "Chain rule: d/dx ln u = u'/u; the factor u' = d/d{x} ({detail}) is missing in {here}.",
        "链式法则：d/dx ln u = u'/u；{here} 中缺少因子 u' = d/d{x} ({detail})。"),
    'mistake:chain-rule-inner-dropped/several': (
        'Chain rule: the derivatives of the inner functions are missing in {here}.',
        '链式法则：{here} 中缺少各内层函数的导数。'),
    'mistake:partial-other-variable-varies': (
        'Partial derivative: in ∂/∂{x} every other variable is a constant, but your answer differentiates {detail} as if it changed with {x}.',
        '偏导数：在 ∂/∂{x} 中其他变量都是常数，但你的答案把 {detail} 当作随 {x} 变化来求导。'),
    'mistake:partial-other-variable-varies/part': (
        'Partial derivative: in ∂/∂{x} every other variable is a constant, but your answer differentiates {detail} in {expr} as if it changed with {x}.',
        '偏导数：在 ∂/∂{x} 中其他变量都是常数，但你的答案在 {expr} 中把 {detail} 当作随 {x} 变化来求导。'),
    'mistake:partial-wrong-variable': (
        'Wrong variable: your answer is the derivative with respect to {detail}, not {x}.',
        '变量用错了：你的答案是对 {detail} 的导数，而不是对 {x} 的。'),
    'mistake:sign-error': (
        'Sign: your answer is the derivative with the opposite sign.',
        '符号：你的答案是导数的相反数。'),
    'mistake:sign-error/part': (
        'Sign: the derivative of {expr} enters your answer with the wrong sign.',
        '符号：{expr} 的导数以相反的符号进入了你的答案。'),
    'mistake:constant-factor-off': (
        'Constant factor: your answer is {detail} times the derivative.',
        '常数因子：你的答案是导数的 {detail} 倍。'),
    'mistake:additive-constant-off': (
        'Additive constant: your answer differs from the derivative by the constant {detail} (a constant term added or lost).',
        '相差一个常数：你的答案与导数相差常数 {detail}（多加或漏掉了一个常数项）。'),
    'mistake:function-not-differentiated': (
        'Your answer is the function itself, not its derivative.',
        '你的答案是函数本身，不是它的导数。'),
    'mistake:antiderivative-given': (
        'Your answer is an antiderivative (an integral) of the function, not its derivative.',
        '你的答案是函数的一个原函数（积分），不是它的导数。'),
    'mistake:value-at-a-point': (
        "Your answer is a number: the derivative's value at {detail}. The derivative is asked as a function of {x}, not its value at one point.",
        '你的答案是一个数：导数在 {detail} 处的值。这里要的是关于 {x} 的导函数，而不是它在某一点的值。'),
    "mistake_places": ("{n} places ({where})", "{n} 处（{where}）"),
    "mistake_quotient_over g": ("the denominator is g instead of g²", "分母是 g 而不是 g²"),
    "mistake_quotient_no denominator": ("the denominator g² is missing", "缺少分母 g²"),
    "mistake_after_verdict": ("{verdict} {mistake}", "{verdict}{mistake}"),
    # matrix_mistakes.py: what each matrix mistake is, and the one-rule edits that name it
    "matrix_mistake:sign-error": ("the derivative, or one term of it, with the opposite sign",
                                  "导数（或其中一项）的符号反了"),
    "matrix_mistake:factor-2-missing": ("the 2 from differentiating a square left out",
                                        "漏掉了对平方求导得到的 2"),
    "matrix_mistake:factor-2-extra": ("a factor 2 the derivative does not have",
                                      "多了一个导数里没有的因子 2"),
    "matrix_mistake:mean-factor-missing": ("the 1/n of a mean over the batch left out",
                                           "漏掉了对批次取平均的 1/n"),
    "matrix_mistake:mean-factor-extra": ("a 1/n the loss does not have",
                                         "多了一个损失里没有的 1/n"),
    "matrix_mistake:bias-not-summed": ("a per-example gradient not summed over the batch",
                                       "每个样本的梯度没有在批次上求和"),
    "matrix_mistake:sum-wrong-axis": ("a sum or mean over the wrong axis", "求和或平均沿错了轴"),
    "matrix_mistake:transpose-missing": ("a factor (or the whole answer) that should be "
                                         "transposed", "某个因子（或整个答案）应当转置"),
    "matrix_mistake:transpose-extra": ("a transpose too many", "多了一次转置"),
    "matrix_mistake:product-order": ("the factors of a matrix product in the wrong order",
                                     "矩阵乘积的因子顺序反了"),
    "matrix_mistake:jacobian-diagonal-missing": (
        "the diagonal term of a Jacobian (diag(p) in diag(p) − ppᵀ) left out",
        "漏掉了雅可比矩阵的对角项（diag(p) − ppᵀ 中的 diag(p)）"),
    "matrix_mistake:jacobian-diagonal-wrong": ("right off the diagonal, wrong on it",
                                               "对角线以外正确，对角线上错误"),
    "matrix_edit:sign": ("The sign is wrong: {name} is minus your answer.",
                         "符号错了：{name} 是你的答案的相反数。"),
    "matrix_edit:factor-2-missing": ("The factor 2 is missing: {name} is 2 times your answer.",
                                     "漏了因子 2：{name} 是你的答案的 2 倍。"),
    "matrix_edit:factor-2-extra": ("There is a factor 2 too many: {name} is half your answer.",
                                   "多了一个因子 2：{name} 是你的答案的一半。"),
    "matrix_edit:mean-factor-missing": (
        "The factor 1/{dim} is missing: the loss is a mean over the {dim} examples, so its "
        "gradient is your answer divided by {dim}.",
        "漏了因子 1/{dim}：损失是对 {dim} 个样本取平均，所以它的梯度是你的答案除以 {dim}。"),
    "matrix_edit:mean-factor-extra": (
        "There is a 1/{dim} too many: the loss is a sum, not a mean, so {name} is {dim} times "
        "your answer.",
        "多了一个 1/{dim}：损失是求和而不是平均，所以 {name} 是你的答案的 {dim} 倍。"),
    "matrix_edit:bias-not-summed": (
        "Your answer holds one gradient per example; {name} sums them over the batch: {fixed}.",
        "你的答案里每个样本各有一个梯度；{name} 要把它们在整个批次上求和：{fixed}。"),
    "matrix_edit:sum-wrong-axis": ("{shown} is over the wrong axis: it should be {fixed}.",
                                   "{shown} 沿错了轴：应为 {fixed}。"),
    "matrix_edit:transpose-extra": ("{shown} should not be transposed: write {fixed}.",
                                    "{shown} 不应转置：写成 {fixed}。"),
    "matrix_edit:transpose-missing": ("{shown} should be transposed: {fixed}.",
                                      "{shown} 应当转置：{fixed}。"),
    "matrix_edit:transpose-whole": ("Your answer is the transpose of {name}: {fixed}.",
                                    "你的答案是 {name} 的转置：{fixed}。"),
    "matrix_edit:product-order": ("The product {shown} is in the wrong order: it should be "
                                  "{fixed}.", "乘积 {shown} 的顺序反了：应为 {fixed}。"),
    "matrix_edit:term-sign": ("The term {shown} has the wrong sign: {fixed}.",
                              "项 {shown} 的符号错了：{fixed}。"),
    "matrix_edit:jacobian-diagonal-wrong": (
        "The entries off the diagonal are right; those on the diagonal are not: check the "
        "diagonal term.",
        "对角线以外的元素是对的，对角线上的不对：请检查对角项。"),
    "matrix_edit:jacobian-diagonal-missing": (
        "The entries off the diagonal are right, but the diagonal term is missing: the softmax "
        "Jacobian is diag(p) − ppᵀ, not −ppᵀ.",
        "对角线以外的元素是对的，但缺了对角项：softmax 的雅可比矩阵是 diag(p) − ppᵀ，不是 −ppᵀ。"),
}
