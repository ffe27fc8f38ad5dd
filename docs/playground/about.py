# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# > 本笔记本由网页 [about.md](../../about/) 生成：文字与页面相同，代码格就是页面嵌入的 `snippets/` 脚本。不要直接修改它，修改页面或脚本后运行 `make notebooks`。
#

# %% [markdown]
# # 关于本站：我们怎样测试每段代码和它的输出
#
# **运行环境**
#
# 本页的例子只需要 CPU。页面上的输出在 PyTorch 2.15.0（CPU）上捕获；有 GPU 时同一脚本会改用 `cuda`。
#
#
# 本站对读者只做一个承诺：**页面上的每一段代码都真的运行过，代码下面的输出就是它真实打印的内容**。这一页说明我们怎样检查这个承诺；想在自己的机器上复现，也可以照着做。
#
# ## 一段代码的一生
#
# （这里在 [网页版](../../about/) 上有一张示意图。）
#
#
# - **代码只有一个来源。** 每个例子是仓库 `snippets/<章>/` 下的一个完整脚本：import 写在最上面，没有藏起来的准备步骤，复制下来就能 `python 名字.py`。页面通过 [pymdownx.snippets](https://facelessuser.github.io/pymdown-extensions/extensions/snippets/) 把整个文件或其中一个小节嵌进来；页面里不允许出现手敲的代码块，测试会检查这一点。
# - **输出是捕获的，不是抄写的。** `make outputs` 在新的 Python 进程里运行每个脚本，把标准输出和标准错误按终端里的先后顺序合在一起，写入同名的 `.out` 文件。PyTorch 打印的警告（比如 TorchScript 的弃用警告）也是输出的一部分，页面上照样显示。
# - **测试逐字比对。** `make test` 把每个脚本在一个独立的新进程里再运行一遍，与 `.out` 比较；脚本之间不共享 PyTorch 或 TorchDynamo 的任何状态。不一致时测试失败，给出统一格式的 diff，并注明哪个页面用了这段代码。
# - **测试时不必每次导入 torch。** 每个脚本导入 torch 都要花 2–4 秒。所以在 Linux 上，测试先启动一个只导入了 torch、还没做任何运算的进程，再从它 fork 出每个脚本的进程；用到 TensorFlow 的脚本仍然启动全新的解释器。`.out` 总是由全新的解释器写出，两种运行方式只要差一个字符，测试就会失败。
#
# 下面就是这样测试的一个例子，它打印运行本站代码的环境。
#

# %% snippet="about/environment.py"
# 打印运行本站代码的环境：PyTorch 版本、可用设备和 CPU 线程数。
import platform

import torch

device = "cuda" if torch.cuda.is_available() else "cpu"
print("Python  :", platform.python_version())
print("PyTorch :", torch.__version__)
print("设备    :", device, torch.cuda.get_device_name() if device == "cuda" else "")
x = torch.arange(6, dtype=torch.float32, device=device).reshape(2, 3)
print(x * 2)


# %% [markdown]
# 页面也可以只嵌入脚本中的一个小节（脚本里用 `# --8<-- [start:名字]` 和 `# --8<-- [end:名字]` 标出），例如上面脚本里名为 `tensor` 的一节：
#
#
# ## 仓库里谁负责哪一步
#
# 仓库里只有三类东西：`docs/` 下的中文正文，`snippets/` 下的脚本和它们的输出，以及把两者连起来的一个小 Python 包 `sitekit/`。
#
# - **页面上的代码**来自 `snippets/`：构建时由 pymdownx.snippets 嵌入，站点自己的 MkDocs 插件（`sitekit/plugin.py`）先检查每一处嵌入的文件和小节都存在。
# - **输出**由 `make outputs`（即 `python -m sitekit outputs`）在全新的解释器里运行脚本后写出；`make test` 用同一套代码（`sitekit/runner.py`）再运行一遍并比对。
# - **实验场笔记本**由 `make notebooks` 从章节页面生成并执行（`sitekit/notebooks.py`），所以笔记本里的文字和代码与页面永远是同一份。
# - `tests/` 里只有测试：单元测试、内容测试（片段、页面、笔记本）、浏览器测试和实验场服务器的测试。
#
# ## 哪些输出允许不同
#
# 有些内容每次运行都会变：耗时、内存地址、内存占用。它们只用一种方式标出：在脚本同目录的 `snippets.toml` 里，为该脚本列出匹配这些内容的正则表达式（`volatile`）。比对前，匹配到的文字在两边都被替换成 `<volatile>`，其余每个字符都必须一致；页面上显示的仍是那次运行的真实数字。形如 `0x7f3a…` 的内存地址默认就算易变。
#
# 另外三条规则在保存和比对之前作用于每一份输出，页面上看到的就是处理后的样子：
#
# - **缩写路径前缀**：Python 包的安装目录写作 `<site-packages>/`，标准库目录写作 `<python>/`。所以页面上的警告会显示成 `<site-packages>/torch/jit/_script.py:…` 这样的形式，你在自己机器上看到的是完整路径。
# - **缩写日志前缀**：torch 的日志行以级别、日期、时间、进程号和源码行号开头，例如 `V1202 13:44:06.196000 9775 torch/_dynamo/guards.py:3101]`；只有级别和文件名对读者有意义，其余每次运行、每个版本都会变，所以统一缩写成 `V torch/_dynamo/guards.py]`。C++ 层的警告 `[W1202 13:44:48.908541790 init.cpp:778]` 同样缩写成 `[W init.cpp]`。
# - **删掉安装方式带来的噪声行**：有的行只反映 torch 的安装方式或机器上装了什么，与 torch 和脚本本身无关，保存和比对前就删掉它。目前只有一条：PyPI 的 CUDA 版 torch 在没有 GPU、但装了 CUDA 工具包的机器上，Inductor 第一次编译 C++ 时会打印 `No CUDA runtime is found, using CUDA_HOME=...`，CPU 版 torch 从来不打印。这样，装 CPU 版和装 CUDA 版的读者对照的是同一份输出。
#
# 这几条规则和 `volatile` 一样，只在 `sitekit/snippets.py` 一处定义。
#
# ## 版本、CPU 与 CUDA
#
# 页面上的输出都来自**主版本**：`requirements.txt` 固定的 PyTorch（现在是 2.15.0），在 CPU 上运行。读者手里的版本未必相同，所以每个脚本还在其他受支持的版本上测试（首页“测试环境”一表列出全部版本和各自的捕获日期）：
#
# - 某个版本打印的内容与主版本相同，就什么也不记；不同，就把它的输出存在脚本旁边的 `名字.versions/版本.out`（CUDA 上的是 `版本-cuda.out`），测试在那个版本上运行时与它比对。
# - 页面上，输出不同的代码块下方有一个折叠的“这段输出在……上不同”，展开是与主版本逐行对照的差异；所有差异按原因汇总在[版本差异](../../versions/)一页。输出在所有版本上都相同的代码块不多说一句。
# - 少数输出还取决于运行它的 CPU：Inductor 按 CPU 的向量指令集生成 C++，AVX-512 一个向量装 16 个 float，AVX2 装 8 个，ARM 的 NEON 装 4 个。这样的脚本像版本一样分开处理：页面显示 AVX-512 VNNI 上的输出，并在下方写明；只支持 AVX2 的 CPU 上的输出另存一份（`名字.versions/版本-avx2.out`），折叠在同一处，测试在 AVX2 的机器上与它比对。在没有保存输出的 CPU（比如 ARM）上，测试只要求脚本顺利跑完。
# - 与设备无关的脚本在有 GPU 时会自动改用 `cuda`。只能在 GPU 上运行的脚本在 `snippets.toml` 里声明 `requires = ["cuda"]`，在没有 GPU 的机器上跳过并说明原因；它们的输出在 GPU 机器上捕获之前，页面只给出代码。TensorFlow 的对比例子声明 `requires = ["tensorflow"]`，它们与 torch 的版本无关，只在主版本的环境里运行。
#
# ## 离线优先
#
# 很多读者在网络受限的环境里阅读本站，所以构建出的站点**不向任何第三方主机发出请求**：
#
# - 不加载 Google Fonts，正文使用系统里覆盖中文的字体（苹方、微软雅黑、Noto Sans CJK 等）；
# - 流程图由 [mermaid](https://mermaid.js.org/)（`mermaid@11`，MIT 许可，由 npm 按锁定的版本安装）预先画成 SVG 放进页面，颜色随浅色、深色模式变化，手机上不必运行 mermaid；只有尚未预先画好的图才在浏览器里加载随站点发布的 mermaid 来画；
# - 搜索索引在构建时生成，中文用 jieba 分词，在浏览器本地检索。
#
# 浏览器测试会逐页检查：没有控制台错误、没有失败的请求、没有发往本机以外的请求，流程图在浅色和深色模式下都画了出来。
#
# 不联网也能读：[离线阅读](../../download/)一页提供整站的离线副本（zip，解压后直接用浏览器打开，导航、搜索和图都能用）和排成一本书的 PDF，由 `make offline` 生成，随网站一起发布。
#
# ## 手机上也要快
#
# 不少读者用手机读本站。`make lighthouse` 按 Lighthouse 的手机设定（模拟慢速 4G、4 倍 CPU 降速）给每一页打分，目标是性能 ≥ 95、总阻塞时间 ≤ 200 ms、无障碍 100，每次的结果记在仓库的 `bench/lighthouse/results.md` 里。为此，页面做了几件读者看不出来的事：
#
# - 第一屏以下的代码块等读者快翻到时才上色，代码文字本身一直都在，复制、页内查找都不受影响；
# - 前几屏以下的段落、代码块和表格用 `content-visibility: auto` 推迟排版：打开一章时，手机只需排一两屏，而不是上千个元素。每块的占位高度由构建按最窄的手机（280 px）估计，只会偏大、不会偏小，浏览器测试在手机和桌面宽度下逐页核对；
# - 代码块的复制按钮在读者看到它时才装上（Material 的 `content.lazy`）；
# - 站内搜索的索引（约 210 kB）等页面画出来、浏览器空闲时才下载，读者先点了搜索框就立刻下载。Material 原本在打开页面的同时下载它，慢速网络上它会和页面本身抢带宽，手机上的 LCP 因此从 1.5 s 拖到 2.8 s；
# - 浅色、深色模式的切换按钮是本站自己的一小段脚本：没有选过时跟随系统设置，选过以后记住选择。Material 自带的切换组件每次打开页面都会让浏览器把整页样式重新计算好几遍。
#
# ## 发现错误怎么办
#
# 如果你在自己的环境里运行某段代码，得到的输出与页面不同，请在仓库里开一个 issue，附上 `python snippets/about/environment.py` 的输出。版本差异本身也值得记录：每周的定时任务会用最新发布的 PyTorch 跑一遍全部测试，正是为了尽早发现这类变化。
#
