-- The copilot.vim hook: Tab in insert mode runs the (fake) plugin's <expr> mapping, whose keys
-- insert the suggestion afterwards; the plugin must report that insertion.
--   nvim --headless -u NONE -i NONE -l nvim_copilot_vim.lua <plugin_dir> <fakes_rtp> <workspace> <server cmd...>
local plugin_dir, fakes, ws = arg[1], arg[2], arg[3]
local cmd = { unpack(arg, 4) }
vim.opt.rtp:prepend(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)))
local h = require('tabguard_e2e')

local buf, _, sent = h.start(plugin_dir, fakes, ws .. '/app.py', cmd)
vim.cmd('runtime plugin/copilot.vim') -- loaded after setup, as a lazily loaded plugin would be

-- No suggestion shown: Tab inserts a tab and nothing is reported.
vim.api.nvim_win_set_cursor(0, { 5, 0 })
vim.api.nvim_feedkeys(vim.keycode('A<Tab><Esc>'), 'tx', false)
h.wait(300, function()
  return #sent > 0
end)
h.need('plain_tab_not_reported', #sent == 0 and vim.api.nvim_buf_get_lines(buf, 4, 5, false)[1] == '    r = \t', sent)
vim.api.nvim_buf_set_lines(buf, 4, 5, false, { '    r = ' })

vim.fn['copilot#Set']('requests.get(url, verify=False)')
vim.api.nvim_feedkeys(vim.keycode('A<Tab><Esc>'), 'tx', false)
h.need('inserted', vim.api.nvim_buf_get_lines(buf, 4, 5, false)[1] == '    r = requests.get(url, verify=False)',
  vim.api.nvim_buf_get_lines(buf, 0, -1, false))
h.need('mapping_wrapped', require('tabguard.hooks').active['copilot.vim'] == true)
h.need('notification_sent', h.wait(3000, function()
  return #sent > 0
end), sent)
h.emit('sent', true, sent[1])
os.exit(0)
