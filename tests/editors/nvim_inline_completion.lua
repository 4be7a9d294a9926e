-- The Neovim 0.12 hook, on 0.11: a stand-in for vim.lsp.inline_completion with 0.12's contract
-- (get() returns false when nothing is shown, else true, and inserts the item from vim.schedule).
--   nvim --headless -u NONE -i NONE -l nvim_inline_completion.lua <plugin_dir> <unused> <workspace> <server cmd...>
local plugin_dir, fakes, ws = arg[1], arg[2], arg[3]
local cmd = { unpack(arg, 4) }
vim.opt.rtp:prepend(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)))
local h = require('tabguard_e2e')

local shown
vim.lsp.inline_completion = {
  get = function()
    if not shown then
      return false
    end
    local text, buf = shown, vim.api.nvim_get_current_buf()
    local row, col = unpack(vim.api.nvim_win_get_cursor(0))
    shown = nil
    vim.schedule(function()
      vim.api.nvim_buf_set_text(buf, row - 1, col, row - 1, col, vim.split(text, '\n', { plain = true }))
    end)
    return true
  end,
}

local buf, _, sent = h.start(plugin_dir, fakes, ws .. '/app.py', cmd)
h.need('hooked', require('tabguard.hooks').active['vim.lsp.inline_completion'] == true)
vim.o.virtualedit = 'onemore'
vim.api.nvim_win_set_cursor(0, { 5, 8 })

h.need('nothing_shown_returns_false', vim.lsp.inline_completion.get() == false)
h.wait(1500, function()
  return #sent > 0
end)
h.need('nothing_reported', #sent == 0, sent)

shown = 'requests.get(url, verify=False)'
h.need('accept_returns_true', vim.lsp.inline_completion.get() == true)
h.need('notification_sent', h.wait(3000, function()
  return #sent > 0
end), sent)
h.emit('sent', true, sent[1])
h.emit('line', true, vim.api.nvim_buf_get_lines(buf, 4, 5, false)[1])
os.exit(0)
