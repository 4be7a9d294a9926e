-- A notebook opened the way jupytext.nvim and jupytext.vim open one: a BufReadCmd fills the buffer,
-- which keeps the .ipynb name, with the notebook as a py:percent script and sets filetype python.
-- tabguard treats the buffer as the Python file it is.
--   nvim --headless -u NONE -i NONE -l nvim_jupytext_buffer.lua <plugin_dir> <fakes_rtp> <notebook> <script> <server cmd...>
local plugin_dir, fakes, notebook, script = arg[1], arg[2], arg[3], arg[4]
local cmd = { unpack(arg, 5) }

vim.opt.rtp:prepend(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)))
local h = require('tabguard_e2e')
vim.api.nvim_create_autocmd('BufReadCmd', {
  pattern = '*.ipynb',
  callback = function(ev)
    vim.api.nvim_buf_set_lines(ev.buf, 0, -1, false, vim.fn.readfile(script))
    vim.bo[ev.buf].filetype = 'python'
  end,
})

local buf, client, sent = h.start(plugin_dir, fakes, notebook, cmd)
h.emit('buffer', true, { name = vim.api.nvim_buf_get_name(buf), filetype = vim.bo[buf].filetype })
local function sql_findings()
  local found = vim.tbl_filter(function(d)
    return d.source == 'tabguard' and d.code == 'TG105'
  end, vim.diagnostic.get(buf))
  return vim.tbl_map(function(d)
    return { lnum = d.lnum, message = d.message }
  end, found)
end
h.need('diagnostic', h.wait(10000, function()
  return #sql_findings() > 0
end), sql_findings())

-- Hover and code actions at the finding, as in a Python file.
local finding = vim.tbl_filter(function(d)
  return d.code == 'TG105'
end, vim.diagnostic.get(buf))[1]
vim.api.nvim_win_set_cursor(0, { finding.lnum + 1, finding.col })
local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
local hover = client:request_sync('textDocument/hover', params, 5000, buf)
local actions = client:request_sync('textDocument/codeAction', {
  textDocument = params.textDocument,
  range = { start = params.position, ['end'] = params.position },
  context = { diagnostics = {} },
}, 5000, buf)
h.emit('hover', true, vim.tbl_get(hover or {}, 'result', 'contents', 'value') or '')
h.emit('code_actions', true, vim.tbl_map(function(a)
  return a.title
end, (actions or {}).result or {}))

-- copilot.lua (its test double) accepts two lines at the end of the last cell.
local last = vim.api.nvim_buf_line_count(buf) -- 1-based: the last line
vim.o.virtualedit = 'onemore'
vim.api.nvim_win_set_cursor(0, { last, #vim.api.nvim_buf_get_lines(buf, last - 1, last, false)[1] })
require('copilot.suggestion').set("\nquery = f\"DELETE FROM orders WHERE customer = '{name}'\"\nconn.execute(query)")
require('copilot.suggestion').accept()
h.need('notification_sent', h.wait(3000, function()
  return #sent > 0
end), sent)
h.need('accepted_code_flagged', h.wait(10000, function()
  return #vim.tbl_filter(function(d)
    return d.lnum == last + 1
  end, sql_findings()) > 0
end), sql_findings())
os.exit(0)
