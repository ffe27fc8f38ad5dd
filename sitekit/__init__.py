"""The site's machinery, one module per concept（see README，仓库结构）."""
