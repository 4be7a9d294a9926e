-- Headless end-to-end run of the Neovim plugin against the real `tabguard lsp`.
--   nvim --headless -u NONE -i NONE -l nvim_e2e.lua <plugin_dir> <fakes_rtp> <workspace> <server cmd...>
-- Prints one JSON object per step on stdout; exits 1 at the first failed step that later steps need.
local plugin_dir, fakes, ws = arg[1], arg[2], arg[3]
local cmd = { unpack(arg, 4) }

vim.opt.rtp:prepend(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)))
local h = require('tabguard_e2e')
local emit, need, wait = h.emit, h.need, h.wait

local buf, client, sent = h.start(plugin_dir, fakes, ws .. '/app.py', cmd)
local commands = vim.tbl_get(client.server_capabilities, 'executeCommandProvider', 'commands') or {}
emit('server_commands', true, commands)

-- Accept a one-line suggestion through copilot.lua's (fake) accept: short enough that the server's
-- bulk-insert guess would not fire, so an AI mark can only come from the notification.
local line = 4 -- 0-based: "    r = "
vim.o.virtualedit = 'onemore' -- the cursor after the last character, as in insert mode
vim.api.nvim_win_set_cursor(0, { line + 1, #vim.api.nvim_buf_get_lines(buf, line, line + 1, false)[1] })
local suggestion = require('copilot.suggestion')
suggestion.set('requests.get(url, verify=False)')
need('hook_installed', require('tabguard.hooks').active['copilot.lua'] == true)
suggestion.accept()
need('notification_sent', wait(3000, function()
  return #sent > 0
end), sent)
local accepted = sent[1].range
need('accepted_range', accepted.start.line == line and accepted.start.character == 8 and accepted['end'].line == line
  and accepted['end'].character == 39 and sent[1].origin == 'copilot'
  and sent[1].textDocument.version == vim.lsp.util.buf_versions[buf], sent[1])

local function tg201()
  return vim.tbl_filter(function(d)
    return d.source == 'tabguard' and d.code == 'TG201'
  end, vim.diagnostic.get(buf))
end
-- The edit's own publish may come first; the notification's (with the AI mark) follows it.
need('diagnostic', wait(10000, function()
  return #tg201() > 0 and tg201()[1].message:find('AI-inserted', 1, true) ~= nil
end), vim.diagnostic.get(buf))
local d = tg201()[1]
local function inside(pos_line, pos_col)
  return pos_line == line and pos_col >= accepted.start.character and pos_col <= accepted['end'].character
end
need('diagnostic_in_span', inside(d.lnum, d.col) and inside(d.end_lnum, d.end_col), d)
emit('diagnostic_message', true, d.message)
-- Shown once: Neovim 0.11 pulls (textDocument/diagnostic) as well as taking pushes, so a server
-- that did both would list each finding twice. Give a second copy time to arrive.
wait(1500, function()
  return #tg201() > 1
end)
emit('diagnostic_count', true, #tg201())

local function file_status()
  local res = client:request_sync('tabguard/fileStatus', { textDocument = { uri = vim.uri_from_bufnr(buf) } }, 5000, buf)
  return res and res.result
end
local status = file_status()
emit('file_status', status ~= nil, status)

-- Hover on the flagged call.
vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col + 1 })
local hover = client:request_sync('textDocument/hover', vim.lsp.util.make_position_params(0, client.offset_encoding), 5000, buf)
local value = vim.tbl_get(hover or {}, 'result', 'contents', 'value') or ''
need('hover', value:find('Why is this exploitable', 1, true) ~= nil, value:sub(1, 200))
vim.lsp.buf.hover()
emit('hover_window', wait(3000, function()
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(w).relative ~= '' then
      return true
    end
  end
  return false
end))

-- :TabguardReview on the accepted span (cursor inside it).
vim.cmd('TabguardReview')
local reviews = ws .. '/.tabguard/reviews.jsonl'
local reviewed = wait(5000, function()
  return vim.fn.filereadable(reviews) == 1
end)
emit('review_ledger', reviewed, reviewed and vim.fn.readfile(reviews) or nil)
local after = file_status()
emit('file_status_after_review', after ~= nil, after)

-- :TabguardInventory shows the ledger report in a scratch buffer (the report reads files on disk).
vim.cmd('silent write')
local code_buf = vim.api.nvim_get_current_win()
vim.cmd('TabguardInventory')
local inventory
wait(5000, function()
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(b):find('tabguard://inventory', 1, true) then
      inventory = table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), '\n')
      return true
    end
  end
  return false
end)
emit('inventory', inventory ~= nil and pcall(vim.json.decode, inventory), inventory)
vim.api.nvim_set_current_win(code_buf)

-- :TabguardExplain opens the rule's Markdown in a float.
local floats_before = #vim.tbl_filter(function(w)
  return vim.api.nvim_win_get_config(w).relative ~= ''
end, vim.api.nvim_list_wins())
vim.cmd('TabguardExplain TG201')
emit('explain', wait(3000, function()
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    local b = vim.api.nvim_win_get_buf(w)
    if vim.api.nvim_win_get_config(w).relative ~= '' then
      local text = table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), '\n')
      if text:find('Why is this exploitable', 1, true) then
        return true
      end
    end
  end
  return false
end), floats_before)

-- The quick fix applies and the finding goes away.
vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col + 1 })
vim.lsp.buf.code_action({
  apply = true,
  filter = function(a)
    return a.kind == 'quickfix' and a.title:find('^Fix:') ~= nil
  end,
})
need('quick_fix_applied', wait(5000, function()
  return vim.api.nvim_buf_get_lines(buf, line, line + 1, false)[1]:find('verify=True', 1, true) ~= nil
end), vim.api.nvim_buf_get_lines(buf, 0, -1, false))
need('diagnostic_gone', wait(10000, function()
  return #tg201() == 0
end), vim.diagnostic.get(buf))

-- :checkhealth tabguard reports the server command, the attached client and the hook.
vim.cmd('checkhealth tabguard')
local report = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
emit('checkhealth', report:find('server command:', 1, true) ~= nil and report:find('attached to ' .. ws .. '/app.py', 1, true) ~= nil
  and report:find('hooked: copilot.lua', 1, true) ~= nil, report)

-- A config file saved in Neovim applies to the open files at once: ignoring TG215 drops its finding.
vim.api.nvim_set_current_win(code_buf)
local function tg215()
  return #vim.tbl_filter(function(x)
    return x.code == 'TG215'
  end, vim.diagnostic.get(buf))
end
local had = tg215()
vim.cmd.edit(ws .. '/tabguard.toml')
wait(10000, function() -- the client attaches to the buffer a moment after it opens; only then is :w told
  return require('tabguard.server').client(0) ~= nil
end)
vim.api.nvim_buf_set_lines(0, 0, -1, false, { 'ignore = ["TG215"]' })
vim.cmd('silent write')
emit('config_saved_applies', had > 0 and wait(10000, function()
  return tg215() == 0
end), { before = had, after = tg215() })

emit('done', true)
os.exit(0)
