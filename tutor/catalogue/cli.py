"""What the command line prints (errors, warnings, the lesson commands): key -> (English, Chinese)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "cli_error": ("tutor: error: {error}", "tutor：错误：{error}"),
    "cli_warning": ("tutor: warning: {warning}", "tutor：警告：{warning}"),
    "cli_interrupted": ("tutor: interrupted", "tutor：已中断"),
    "no_such_step": ("lesson {lesson!r} has no step {step!r}; its steps are: {steps}",
                     "课程 {lesson!r} 没有步骤 {step!r}；它的步骤有：{steps}"),
    "plot_dir_unusable": ("cannot save this lesson's plots in {directory}: {why} (give a directory "
                          "you can write with --out)",
                          "无法把本课的图保存到 {directory}：{why}（请用 --out 指定一个可写的目录）"),
    "not_writable": ("not writable", "没有写权限"),
    "answers_unreadable": ("cannot read the answers file {path}: {why}", "无法读取答案文件 {path}：{why}"),
    "reset_needs_yes": ("`tutor reset` without a lesson erases the progress of every lesson: add "
                        "--yes to do that, or name one lesson",
                        "不指定课程的 `tutor reset` 会清除所有课程的进度：确定要这样做请加 --yes，"
                        "或者指定一课"),
    "no_lesson_did_you_mean": ("no lesson called {name!r}; did you mean {guess!r}? (`tutor list` "
                               "shows them all)",
                               "没有名为 {name!r} 的课程；你是不是想找 {guess!r}？（`tutor list` 列出全部课程）"),
    "no_lesson": ("no lesson called {name!r}; the lessons are: {known} (see `tutor list`)",
                  "没有名为 {name!r} 的课程；现有课程：{known}（见 `tutor list`）"),
    "none_found": ("none found", "一个也没有"),
    "progress_is_a_file": ("it is a file, not a directory", "它是文件，不是目录"),
    "progress_unusable": ("cannot use {directory} for progress: {why} (set TUTOR_HOME to a "
                          "directory you can write)",
                          "无法在 {directory} 保存进度：{why}（请把 TUTOR_HOME 设为一个可写的目录）"),
    "progress_unreadable": ("cannot be read ({error})", "无法读取（{error}）"),
    "progress_not_json": ("is not valid JSON (line {line})", "不是有效的 JSON（第 {line} 行）"),
    "progress_kept_as": ("kept as {path}", "已另存为 {path}"),
    "progress_left_in_place": ("left in place", "留在原处"),
    "progress_set_aside": ("progress file {path} {problem}; {kept}; starting fresh",
                           "进度文件 {path} {problem}；{kept}；从头开始记录"),
    "progress_not_ours": ("is not a tutor progress file", "不是 tutor 的进度文件"),
    "progress_version": ("has version {version!r}, this tutor reads version {reads}",
                         "的版本是 {version!r}，本 tutor 只读取版本 {reads}"),
    "progress_damaged_settings": ("has damaged settings", "中的设置已损坏"),
    "progress_damaged_lessons": ("has a damaged lesson table", "中的课程表已损坏"),
    "lesson_unreadable": ("cannot be read ({error}); run `tutor lint {path}`",
                          "无法读取（{error}）；请运行 `tutor lint {path}`"),
    "value_at": ("at {point}: {value}", "在 {point} 处：{value}"),
    "mark_failed": ("FAILED", "未通过"),
}
